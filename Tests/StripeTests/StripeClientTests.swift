import Foundation
import PythonPeers
import Synchronization
import Testing

@testable import Stripe
@testable import StripeSimulator

/// Runs `body` against a started simulator with the three plan prices, and stops it after.
func withStripeSimulator(
    now: @escaping @Sendable () -> Date = Date.init, _ body: (StripeSimulator, StripeConfiguration) async throws -> Void
) async throws {
    let simulator = StripeSimulator(
        prices: [("price_starter", 2_900, "eur"), ("price_professional", 7_900, "eur"), ("price_enterprise", 24_900, "eur")], now: now)
    let baseURL = try await simulator.start()
    do {
        try await body(simulator, StripeConfiguration(secretKey: simulator.secretKey, baseURL: baseURL.absoluteString, timeout: 30))
    } catch {
        try await simulator.shutdown()
        throw error
    }
    try await simulator.shutdown()
}

/// The waits a client asked for, instead of sleeping them.
final class Waits: Sendable {
    let recorded = Mutex<[TimeInterval]>([])
    var all: [TimeInterval] { recorded.withLock { $0 } }
    func sleep(_ seconds: TimeInterval) async throws { recorded.withLock { $0.append(seconds) } }
}

@Suite("Stripe client")
struct StripeClientTests {
    func checkoutRequest(_ customer: String) -> StripeClient.CheckoutRequest {
        .init(
            customer: customer, price: "price_professional", successURL: "https://app.test/billing?checkout={CHECKOUT_SESSION_ID}",
            cancelURL: "https://app.test/billing", trialDays: 14, clientReferenceID: "org-1", locale: "nl")
    }

    @Test("Form bodies spell nested names with brackets and escape everything but unreserved characters")
    func form() {
        var form = StripeForm(["line_items[0][price]": "price_1", "metadata[name]": "Één & co=1", "skipped": nil])
        form["success_url"] = "https://app.test/billing?checkout={CHECKOUT_SESSION_ID}"
        #expect(
            form.encoded
                == "line_items%5B0%5D%5Bprice%5D=price_1&metadata%5Bname%5D=%C3%89%C3%A9n%20%26%20co%3D1"
                + "&success_url=https%3A%2F%2Fapp.test%2Fbilling%3Fcheckout%3D%7BCHECKOUT_SESSION_ID%7D")
        #expect(StripeForm.decode(form.encoded) == form)
        #expect(StripeForm.decode("a=b+c&d=%5B") == StripeForm(["a": "b c", "d": "["]))
    }

    @Test("Every request pins the API version; every POST carries its idempotency key, and a repeated key makes one object")
    func headersAndIdempotency() async throws {
        try await withStripeSimulator { simulator, configuration in
            let stripe = StripeClient(configuration)
            let customer = try await stripe.createCustomer(
                email: "owner@example.test", name: "Bakkerij Één", metadata: ["organization": "org-1"], idempotencyKey: "customer/org-1")
            let again = try await stripe.createCustomer(
                email: "owner@example.test", name: "Bakkerij Één", metadata: ["organization": "org-1"], idempotencyKey: "customer/org-1")
            #expect(again == customer)
            #expect(customer.metadata == ["organization": "org-1"])
            let session = try await stripe.createCheckoutSession(checkoutRequest(customer.id), idempotencyKey: "checkout/1")
            #expect(session.url?.hasPrefix(try #require(simulator.baseURL?.absoluteString)) == true)
            #expect(session.clientReferenceID == "org-1")
            _ = try await stripe.createPortalSession(customer: customer.id, returnURL: "https://app.test/billing", locale: "en", idempotencyKey: "portal/1")

            let requests = simulator.requests
            #expect(requests.count == 4)
            #expect(requests.allSatisfy { $0.stripeVersion == StripeClient.apiVersion })
            #expect(requests.map(\.idempotencyKey) == ["customer/org-1", "customer/org-1", "checkout/1", "portal/1"])
            #expect(requests.map(\.replayed) == [false, true, false, false])
            let checkout = requests[2].form
            #expect(checkout["mode"] == "subscription")
            #expect(checkout["line_items[0][price]"] == "price_professional")
            #expect(checkout["subscription_data[trial_period_days]"] == "14")
            #expect(checkout["subscription_data[metadata][organization]"] == "org-1")

            // The same key with other parameters is Stripe's idempotency error, never a second customer.
            await #expect {
                try await stripe.createCustomer(email: "else@example.test", name: "X", metadata: [:], idempotencyKey: "customer/org-1")
            } throws: { ($0 as? StripeError)?.kind == .idempotency }
        }
    }

    @Test("429 waits what Retry-After says; 5xx and 409 back off and go again with the same key; then the answer")
    func retries() async throws {
        try await withStripeSimulator { simulator, configuration in
            let waits = Waits()
            var configuration = configuration
            configuration.maxRetries = 3
            let stripe = StripeClient(configuration, sleep: waits.sleep)
            simulator.script(.rateLimited(retryAfter: 2))
            simulator.script(.serverError)
            simulator.script(.lockTimeout)
            let customer = try await stripe.createCustomer(email: "a@example.test", name: "A", metadata: [:], idempotencyKey: "retry/1")
            #expect(customer.id.hasPrefix("cus_"))
            let waited = waits.all
            #expect(waited.count == 3)
            #expect(waited[0] == 2)
            #expect((0.5...1).contains(waited[1]))
            #expect((0.5...2).contains(waited[2]))
            // The scripted refusals never reached the route; the one that did made one customer.
            #expect(simulator.requests.map(\.idempotencyKey) == ["retry/1"])
        }
    }

    @Test("Retries stop at the limit, a Retry-After too long for a request goes to the caller, and client errors never repeat")
    func retryLimits() async throws {
        try await withStripeSimulator { simulator, configuration in
            let waits = Waits()
            let stripe = StripeClient(configuration, sleep: waits.sleep)
            simulator.script(.serverError, times: 3)
            await #expect {
                try await stripe.createCustomer(email: "a@example.test", name: "A", metadata: [:], idempotencyKey: "limit/1")
            } throws: { ($0 as? StripeError)?.kind == .api && ($0 as? StripeError)?.httpStatus == 500 }
            #expect(waits.all.count == 2)

            simulator.script(.rateLimited(retryAfter: 120))
            await #expect {
                try await stripe.createCustomer(email: "a@example.test", name: "A", metadata: [:], idempotencyKey: "limit/2")
            } throws: { ($0 as? StripeError)?.retryAfter == 120 && ($0 as? StripeError)?.kind == .rateLimited }
            #expect(waits.all.count == 2)

            simulator.script(.cardDeclined)
            await #expect {
                try await stripe.createCustomer(email: "a@example.test", name: "A", metadata: [:], idempotencyKey: "limit/3")
            } throws: { ($0 as? StripeError)?.kind == .card && ($0 as? StripeError)?.code == "card_declined" }
            await #expect {
                try await stripe.subscription("sub_missing")
            } throws: { error in
                guard let error = error as? StripeError else { return false }
                return error.kind == .invalidRequest && error.httpStatus == 404 && error.code == "resource_missing" && error.requestID != nil
            }
            await #expect {
                try await StripeClient(StripeConfiguration(secretKey: "sk_test_wrong", baseURL: configuration.baseURL)).subscription("sub_1")
            } throws: { ($0 as? StripeError)?.kind == .authentication }
            #expect(waits.all.count == 2)
        }
    }

    @Test("An unreachable Stripe is a connection error, retried, then given to the caller")
    func unreachable() async throws {
        let waits = Waits()
        let stripe = StripeClient(StripeConfiguration(secretKey: "sk_test_x", baseURL: "http://127.0.0.1:9", timeout: 1), sleep: waits.sleep)
        await #expect {
            try await stripe.createCustomer(email: "a@example.test", name: "A", metadata: [:], idempotencyKey: "down/1")
        } throws: { ($0 as? StripeError)?.kind == .connection }
        #expect(waits.all.count == 2)
    }

    @Test("Ids that are not Stripe's never reach a path")
    func pathInjection() async throws {
        let stripe = StripeClient(StripeConfiguration(secretKey: "sk_test_x", baseURL: "http://127.0.0.1:9"))
        for id in ["../v1/customers", "sub_1/cancel", "sub_1?expand=x", "", "sub 1"] {
            await #expect(throws: StripeError.self) { try await stripe.subscription(id) }
        }
    }

    @Test("A subscription's life as the client reads it: checkout, trial, price change, cancel at period end and back, invoices")
    func subscriptionLife() async throws {
        try await withStripeSimulator { simulator, configuration in
            let stripe = StripeClient(configuration)
            let customer = try await stripe.createCustomer(email: "o@example.test", name: "O", metadata: [:], idempotencyKey: "c/1")
            let session = try await stripe.createCheckoutSession(checkoutRequest(customer.id), idempotencyKey: "s/1")
            let success = try await simulator.completeCheckout(session.id)
            #expect(success == "https://app.test/billing?checkout=\(session.id)")
            let subscriptions = try await stripe.subscriptions(customer: customer.id)
            let subscription = try #require(subscriptions.data.first)
            #expect(subscription.status == "trialing")
            #expect(subscription.priceID == "price_professional")
            #expect(subscription.metadata == ["organization": "org-1"])
            #expect(subscription.currentPeriodEnd == subscription.trialEnd.map { Date(timeIntervalSince1970: TimeInterval($0)) })

            let moved = try await stripe.changePrice(of: subscription, to: "price_enterprise", idempotencyKey: "m/1")
            #expect(moved.priceID == "price_enterprise")
            #expect(simulator.requests.last?.form["proration_behavior"] == "create_prorations")
            #expect(try await stripe.setCancelAtPeriodEnd(subscription.id, true, idempotencyKey: "x/1").cancelAtPeriodEnd)
            #expect(try await stripe.setCancelAtPeriodEnd(subscription.id, false, idempotencyKey: "x/2").cancelAtPeriodEnd == false)

            try await simulator.renewPaid(subscription.id)
            let invoices = try await stripe.invoices(customer: customer.id, limit: 10)
            #expect(invoices.data.map(\.status) == ["paid", "paid"])
            #expect(invoices.data.first?.amountDue == 24_900)
            #expect(invoices.data.allSatisfy { $0.subscription == subscription.id })
            let next = try await stripe.nextInvoice(customer: customer.id, subscription: subscription.id, idempotencyKey: "p/1")
            #expect(next.amountDue == 24_900)
            #expect(next.currency == "eur")
        }
    }
}

@Suite("The simulator against Stripe's official package")
struct StripeOfficialPackageTests {
    @Test("The stripe package creates, reads and changes what the simulator holds, and reads its errors as Stripe's")
    func officialPackage() async throws {
        try await withStripeSimulator { simulator, configuration in
            func run(_ request: [String: Any]) async throws -> [String: Any] {
                var request = request
                request["base"] = configuration.baseURL
                request["key"] = simulator.secretKey
                let output = try await PythonPeer.output("stripe_peer.py", input: try JSONSerialization.data(withJSONObject: request))
                return try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
            }
            let before = try await run(["command": "before_payment", "price": "price_starter", "organization": "org-9"])
            let customer = try #require(before["customer"] as? String)
            #expect(before["replayed_id"] as? String == customer)
            #expect(before["customer_metadata"] as? [String: String] == ["organization": "org-9"])
            let checkout = try #require(before["checkout"] as? [String: Any])
            #expect(checkout["status"] as? String == "open")
            #expect(checkout["client_reference_id"] as? String == "org-9")
            #expect((before["reused_key"] as? [String: Any])?["class"] as? String == "IdempotencyError")
            let missing = try #require(before["missing"] as? [String: Any])
            #expect(missing["class"] as? String == "InvalidRequestError")
            #expect(missing["status"] as? Int == 404)
            #expect(missing["code"] as? String == "resource_missing")
            #expect((before["wrong_key"] as? [String: Any])?["class"] as? String == "AuthenticationError")
            // The package's nested parameters arrive as Stripe reads them.
            let created = try #require(simulator.requests.first { $0.path == "/v1/checkout/sessions" })
            #expect(created.form["line_items[0][price]"] == "price_starter")
            #expect(created.form["subscription_data[trial_period_days]"] == "14")
            #expect(created.stripeVersion == StripeClient.apiVersion)

            try await simulator.completeCheckout(try #require(checkout["id"] as? String))
            let subscription = try #require(try await StripeClient(configuration).subscriptions(customer: customer).data.first)
            let after = try await run(["command": "after_payment", "customer": customer, "subscription": subscription.id, "price": "price_professional"])
            #expect(after["status"] as? String == "trialing")
            #expect(after["price"] as? String == "price_starter")
            #expect(after["moved_price"] as? String == "price_professional")
            #expect(after["trial_end"] as? Int == subscription.trialEnd)
            #expect((after["invoices"] as? [[String: Any]])?.map { $0["status"] as? String } == ["paid"])
            #expect(after["preview_amount_due"] as? Int == 7_900)
            #expect(after["preview_subscription"] as? String == subscription.id)
        }
    }
}
