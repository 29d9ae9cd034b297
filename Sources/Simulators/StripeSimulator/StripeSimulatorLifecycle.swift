import AsyncHTTPClient
import Foundation
import NIOCore
import Stripe
import Vapor

// What happens at Stripe without an API call from us (a customer paying, renewals, failed charges,
// disputes), made to happen by tests, each with the events Stripe sends for it.
extension StripeSimulator {
    /// The customer pays on the Checkout page: a subscription (trialing when the session asked for
    /// days of trial), its first invoice paid, and the events `customer.subscription.created`,
    /// `invoice.paid`, `checkout.session.completed`. Returns the session's success URL.
    @discardableResult
    public func completeCheckout(_ sessionID: String) async throws -> String {
        let at = now()
        let seconds = Int(at.timeIntervalSince1970)
        let (url, events) = try state.withLock { state -> (String, [SimEvent]) in
            guard var session = state.checkoutSessions[sessionID] else { throw StripeAPIError.missing("checkout.session", sessionID, param: "id") }
            guard session.status == "open" else { throw StripeAPIError.invalidRequest("This Checkout Session is no longer active.") }
            guard let price = state.prices[session.price] else { throw StripeAPIError.missing("price", session.price, param: "price") }
            let id = state.nextID("sub_")
            let trialEnd = session.trialDays.map { seconds + $0 * 86_400 }
            let periodEnd = trialEnd ?? seconds + 30 * 86_400
            var subscription = SimSubscription(
                id: id, customer: session.customer, status: trialEnd == nil ? "active" : "trialing", trialEnd: trialEnd, created: seconds,
                items: SimList(
                    data: [
                        SimSubscriptionItem(id: state.nextID("si_"), price: price, subscription: id, currentPeriodStart: seconds, currentPeriodEnd: periodEnd)
                    ],
                    url: "/v1/subscription_items?subscription=\(id)"),
                metadata: session.subscriptionMetadata)
            let invoice = state.invoice(for: subscription, amount: trialEnd == nil ? price.unitAmount : 0, paid: true, at: seconds)
            subscription.latestInvoice = invoice.id
            state.subscriptions[id] = subscription
            session.status = "complete"
            session.paymentStatus = trialEnd == nil ? "paid" : "no_payment_required"
            session.subscription = id
            session.url = nil
            state.checkoutSessions[sessionID] = session
            let events = [
                state.event("customer.subscription.created", subscription, at: at),
                state.event("invoice.paid", invoice, at: at),
                state.event("checkout.session.completed", session, at: at),
            ]
            return (session.successURL.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: sessionID), events)
        }
        await deliver(events)
        return url
    }

    /// The next period's invoice fails to be paid: the subscription goes `past_due`; Stripe will try
    /// again in three days. Events `invoice.payment_failed`, `customer.subscription.updated`.
    public func failRenewal(_ subscriptionID: String) async throws {
        try await renew(subscriptionID, paid: false)
    }

    /// The next period starts and its invoice is paid: events `invoice.paid`, `customer.subscription.updated`.
    public func renewPaid(_ subscriptionID: String) async throws {
        try await renew(subscriptionID, paid: true)
    }

    private func renew(_ subscriptionID: String, paid: Bool) async throws {
        let at = now()
        let seconds = Int(at.timeIntervalSince1970)
        let events = try state.withLock { state -> [SimEvent] in
            guard var subscription = state.subscriptions[subscriptionID] else { throw StripeAPIError.missing("subscription", subscriptionID, param: "id") }
            subscription.items.data[0].currentPeriodStart = seconds
            subscription.items.data[0].currentPeriodEnd = seconds + 30 * 86_400
            subscription.trialEnd = nil
            subscription.status = paid ? "active" : "past_due"
            var invoice = state.invoice(for: subscription, amount: subscription.items.data[0].price.unitAmount, paid: paid, at: seconds)
            if !paid {
                invoice.nextPaymentAttempt = seconds + 3 * 86_400
                state.invoices[invoice.id!] = invoice
            }
            subscription.latestInvoice = invoice.id
            state.subscriptions[subscriptionID] = subscription
            return [
                state.event(paid ? "invoice.paid" : "invoice.payment_failed", invoice, at: at),
                state.event("customer.subscription.updated", subscription, at: at),
            ]
        }
        await deliver(events)
    }

    /// Stripe retries the open invoice and fails again: `invoice.payment_failed` with one more attempt.
    public func failRetry(_ subscriptionID: String) async throws {
        let at = now()
        let event = try state.withLock { state in
            guard let invoiceID = state.subscriptions[subscriptionID]?.latestInvoice, var invoice = state.invoices[invoiceID], invoice.status == "open" else {
                throw StripeAPIError.invalidRequest("No open invoice for \(subscriptionID)")
            }
            invoice.attemptCount += 1
            invoice.nextPaymentAttempt = Int(at.timeIntervalSince1970) + 3 * 86_400
            state.invoices[invoiceID] = invoice
            return state.event("invoice.payment_failed", invoice, at: at)
        }
        await deliver([event])
    }

    /// The customer pays the open invoice (in the portal): events `invoice.paid`, `customer.subscription.updated`.
    public func payOpenInvoice(_ subscriptionID: String) async throws {
        let at = now()
        let events = try state.withLock { state -> [SimEvent] in
            guard var subscription = state.subscriptions[subscriptionID], let invoiceID = subscription.latestInvoice,
                var invoice = state.invoices[invoiceID], invoice.status == "open"
            else { throw StripeAPIError.invalidRequest("No open invoice for \(subscriptionID)") }
            invoice.status = "paid"
            invoice.amountPaid = invoice.amountDue
            invoice.nextPaymentAttempt = nil
            invoice.charge = state.nextID("ch_")
            state.charges[invoice.charge!] = SimCharge(
                id: invoice.charge!, customer: invoice.customer, amount: invoice.amountDue, currency: invoice.currency, created: Int(at.timeIntervalSince1970))
            state.invoices[invoiceID] = invoice
            subscription.status = "active"
            state.subscriptions[subscriptionID] = subscription
            return [state.event("invoice.paid", invoice, at: at), state.event("customer.subscription.updated", subscription, at: at)]
        }
        await deliver(events)
    }

    /// Three days before a trial ends: `customer.subscription.trial_will_end`.
    public func trialWillEnd(_ subscriptionID: String) async throws {
        let at = now()
        let event = try state.withLock { state in
            guard let subscription = state.subscriptions[subscriptionID] else { throw StripeAPIError.missing("subscription", subscriptionID, param: "id") }
            return state.event("customer.subscription.trial_will_end", subscription, at: at)
        }
        await deliver([event])
    }

    /// The subscription ends (at the period end after a cancellation, or after failed retries):
    /// `customer.subscription.deleted`.
    public func endSubscription(_ subscriptionID: String) async throws {
        let at = now()
        let event = try state.withLock { state in
            guard var subscription = state.subscriptions[subscriptionID] else { throw StripeAPIError.missing("subscription", subscriptionID, param: "id") }
            subscription.status = "canceled"
            subscription.canceledAt = subscription.canceledAt ?? Int(at.timeIntervalSince1970)
            state.subscriptions[subscriptionID] = subscription
            return state.event("customer.subscription.deleted", subscription, at: at)
        }
        await deliver([event])
    }

    /// The customer's bank disputes the last paid charge: `charge.dispute.created`.
    public func dispute(_ subscriptionID: String) async throws {
        let at = now()
        let event = try state.withLock { state in
            guard
                let charge = state.invoices.values.filter({ $0.parent.subscriptionDetails.subscription == subscriptionID && $0.charge != nil })
                    .max(by: { $0.created < $1.created })?.charge, let paid = state.charges[charge]
            else { throw StripeAPIError.invalidRequest("No paid charge for \(subscriptionID)") }
            let dispute = SimDispute(
                id: state.nextID("dp_"), charge: charge, amount: paid.amount, currency: paid.currency, reason: "fraudulent",
                status: "needs_response", created: Int(at.timeIntervalSince1970))
            return state.event("charge.dispute.created", dispute, at: at)
        }
        await deliver([event])
    }

    // MARK: Webhook delivery

    /// What the app answered to each event delivered.
    public struct Delivery: Sendable, Equatable {
        public var eventID: String
        public var type: String
        public var status: Int?
    }

    public var deliveries: [Delivery] { deliveryLog.withLock { $0 } }

    /// The raw body of an event as delivered (for replays in tests).
    public func eventBody(_ id: String) -> Data? {
        state.withLock { $0.events.first { $0.id == id } }.map { $0.body(apiVersion: StripeClient.apiVersion) }
    }

    public var eventIDs: [String] { state.withLock { $0.events.map(\.id) } }

    /// The `Stripe-Signature` header for a body, signed now with every current secret.
    public func signature(for body: Data, at date: Date? = nil) -> String {
        StripeSignature.header(body: Array(body), secrets: webhookSecrets.withLock { $0 }, timestamp: date ?? now())
    }

    /// Sends an event again, as Stripe does when an answer was not 2xx (or a test wants it twice).
    @discardableResult
    public func redeliver(_ eventID: String) async -> Int? {
        guard let event = state.withLock({ $0.events.first { $0.id == eventID } }) else { return nil }
        return await post(event)
    }

    func deliver(_ events: [SimEvent]) async {
        for event in events { await post(event) }
    }

    @discardableResult
    private func post(_ event: SimEvent) async -> Int? {
        guard let url = state.withLock({ $0.webhookURL }) else { return nil }
        let body = event.body(apiVersion: StripeClient.apiVersion)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
        request.headers.add(name: StripeSignature.headerName, value: signature(for: body))
        request.body = .bytes(ByteBuffer(data: body))
        let status = try? await http.execute(request, timeout: .seconds(30)).status.code
        deliveryLog.withLock { $0.append(Delivery(eventID: event.id, type: event.type, status: status.map { Int($0) })) }
        return status.map { Int($0) }
    }

    // MARK: Hosted pages

    func checkoutPage(_ request: Request) throws -> Response {
        let session = try find(\.checkoutSessions, request.parameters.get("id"), kind: "checkout.session")
        let price = state.withLock { $0.prices[session.price] }
        let amount = price.map { "\($0.unitAmount / 100).\(String(format: "%02d", $0.unitAmount % 100)) \($0.currency.uppercased())" } ?? "?"
        return html(
            """
            <h1>Stripe Checkout (simulator)</h1>
            <p id="price">\(escape(session.price)): \(escape(amount)) / month\(session.trialDays.map { ", \($0) days free" } ?? "")</p>
            <form method="post" action="/checkout/\(escape(session.id))/pay"><button id="pay" type="submit">Pay</button></form>
            <p><a id="cancel" href="\(escape(session.cancelURL))">Back</a></p>
            """)
    }

    func payCheckout(_ request: Request) async throws -> Response {
        let url = try await completeCheckout(try request.parameters.require("id"))
        return request.redirect(to: url, redirectType: .normal)
    }

    func portalPage(_ request: Request) throws -> Response {
        let session = try find(\.portalSessions, request.parameters.get("id"), kind: "billing_portal.session")
        return html(
            """
            <h1>Customer portal (simulator)</h1>
            <p id="customer">\(escape(session.customer))</p>
            <p><a id="return" href="\(escape(session.returnURL))">Return</a></p>
            """)
    }

    private func html(_ body: String) -> Response {
        Response(
            status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"],
            body: .init(
                string:
                    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Stripe (simulator)</title></head><body><main>\(body)</main></body></html>"
            ))
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension StripeSimulator.State {
    /// A new invoice for the subscription's current period, paid (with its charge) or open.
    mutating func invoice(for subscription: SimSubscription, amount: Int, paid: Bool, at seconds: Int) -> SimInvoice {
        let item = subscription.items.data[0]
        let id = nextID("in_")
        var invoice = SimInvoice(
            id: id, number: "SIM-\(String(format: "%04d", invoices.count + 1))", customer: subscription.customer, status: paid ? "paid" : "open",
            amountDue: amount, amountPaid: paid ? amount : 0, currency: item.price.currency, created: seconds, periodStart: item.currentPeriodStart,
            periodEnd: item.currentPeriodEnd, nextPaymentAttempt: nil, attemptCount: 1, hostedInvoiceURL: "https://invoice.stripe.test/\(id)",
            invoicePDF: "https://invoice.stripe.test/\(id).pdf", parent: .init(subscriptionDetails: .init(subscription: subscription.id)))
        if paid, amount > 0 {
            let charge = nextID("ch_")
            charges[charge] = SimCharge(id: charge, customer: subscription.customer, amount: amount, currency: item.price.currency, created: seconds)
            invoice.charge = charge
        }
        invoices[id] = invoice
        return invoice
    }
}
