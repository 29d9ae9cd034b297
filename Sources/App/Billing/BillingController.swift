import ADSappCore
import Fluent
import Foundation
import Stripe
import Vapor

/// The billing page and its buttons (owners only): a checkout for a plan, the customer portal,
/// a change of plan, cancelling at the period end and taking that back. Each goes to Stripe; what
/// Stripe answers is applied at once (and again, harmlessly, when its webhook arrives).
enum BillingController {
    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "checkout": t(.billingNoticeCheckout)
            case "changed": t(.billingNoticeChanged)
            case "cancelled": t(.billingNoticeCancelled)
            case "resumed": t(.billingNoticeResumed)
            default: nil
            }
        let error: String? =
            switch request.query[String.self, at: "error"] {
            case "stripe": t(.billingStripeUnreachable)
            case "plan": t(.billingErrorPlan)
            case "subscribed": t(.billingErrorSubscribed)
            case "no-subscription": t(.billingErrorNoSubscription)
            default: nil
            }
        let model = try await BillingPage.query(request, tenant, notice: notice, error: error)
        let response = try await HTMLResponse(html: BillingPage.html(model, try await Chrome.make(for: request, section: .settings)))
            .encodeResponse(for: request)
        if let account = request.context.configuration.billing.stripe {
            response.headers.replaceOrAdd(
                name: "Content-Security-Policy", value: SecurityHeaders.contentSecurityPolicy(formsMayGoTo: Billing.hostedPageOrigins(account)))
        }
        return response
    }

    struct PlanForm: Content {
        var plan: String?
    }

    /// A Stripe Checkout for the chosen plan (with the trial when the organization never had a subscription).
    static func checkout(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let (settings, account, stripe) = try services(request)
        guard let plan = try request.content.decode(PlanForm.self).plan.flatMap(Plan.init(rawValue:)), let price = account.prices[plan] else {
            return back(request, error: "plan")
        }
        let billing = try await BillingAccounts.of(tenant.scope, now: request.now)
        if billing.isSubscribed { return back(request, error: "subscribed") }
        do {
            let customer = try await customer(of: billing, tenant, stripe, request)
            let billingPage = request.context.configuration.emailLink(SiteURL.billing.path)
            let session = try await stripe.createCheckoutSession(
                .init(
                    customer: customer, price: price, successURL: billingPage + "?notice=checkout",
                    cancelURL: billingPage, trialDays: billing.stripeSubscriptionID == nil && settings.trialDays > 0 ? settings.trialDays : nil,
                    clientReferenceID: tenant.organizationID.uuidString.lowercased(), locale: request.language.rawValue),
                idempotencyKey: "checkout/\(tenant.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased())")
            try await audit(tenant, request, "checkout.started", "\(tenant.user.name) opened a checkout for \(plan.rawValue).")
            return try redirect(request, toStripe: session.url)
        } catch let failure as StripeError {
            request.logger.warning("Billing checkout: Stripe refused", metadata: ["error": .string(failure.description)])
            return back(request, error: "stripe")
        }
    }

    /// Stripe's customer portal: payment methods, invoices, cancellation.
    static func portal(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let (_, _, stripe) = try services(request)
        let billing = try await BillingAccounts.of(tenant.scope, now: request.now)
        guard let customer = billing.stripeCustomerID else { return back(request, error: "no-subscription") }
        do {
            let session = try await stripe.createPortalSession(
                customer: customer, returnURL: request.context.configuration.emailLink(SiteURL.billing.path), locale: request.language.rawValue,
                idempotencyKey: "portal/\(tenant.organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased())")
            return try redirect(request, toStripe: session.url)
        } catch let failure as StripeError {
            request.logger.warning("Billing portal: Stripe refused", metadata: ["error": .string(failure.description)])
            return back(request, error: "stripe")
        }
    }

    /// Upgrade or downgrade, prorated by Stripe.
    static func changePlan(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let (_, account, stripe) = try services(request)
        guard let plan = try request.content.decode(PlanForm.self).plan.flatMap(Plan.init(rawValue:)), let price = account.prices[plan] else {
            return back(request, error: "plan")
        }
        return try await changeSubscription(request, tenant, notice: "changed") { billing, id in
            try await stripe.changePrice(of: try await stripe.subscription(id), to: price, idempotencyKey: "plan/\(id)/\(price)/\(UUID().uuidString)")
        }
    }

    static func cancel(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let (_, _, stripe) = try services(request)
        return try await changeSubscription(request, tenant, notice: "cancelled") { _, id in
            try await stripe.setCancelAtPeriodEnd(id, true, idempotencyKey: "cancel/\(id)/\(UUID().uuidString)")
        }
    }

    static func resume(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let (_, _, stripe) = try services(request)
        return try await changeSubscription(request, tenant, notice: "resumed") { _, id in
            try await stripe.setCancelAtPeriodEnd(id, false, idempotencyKey: "resume/\(id)/\(UUID().uuidString)")
        }
    }

    // MARK: -

    private static func services(_ request: Request) throws -> (BillingSettings, BillingSettings.StripeAccount, StripeClient) {
        let settings = request.context.configuration.billing
        guard let account = settings.stripe, let stripe = Billing.stripeClient(settings) else { throw Abort(.notFound) }
        return (settings, account, stripe)
    }

    private static func changeSubscription(
        _ request: Request, _ tenant: Tenant, notice: String, _ change: (BillingAccount, String) async throws -> StripeSubscription
    ) async throws -> Response {
        let (settings, account, stripe) = try services(request)
        let billing = try await BillingAccounts.of(tenant.scope, now: request.now)
        guard billing.isSubscribed, let id = billing.stripeSubscriptionID else { return back(request, error: "no-subscription") }
        do {
            let subscription = try await change(billing, id)
            let events = BillingEvents(
                settings: settings, account: account, stripe: stripe,
                notices: BillingNotices(context: request.context), database: request.db, now: { request.now })
            let decision = try await events.applySubscription(subscription, to: billing, eventID: nil)
            try await request.db.transaction { try await decision.writes($0) }
            return request.redirect(to: SiteURL.billing.path + "?notice=" + notice, redirectType: .normal)
        } catch let failure as StripeError {
            request.logger.warning("Billing change: Stripe refused", metadata: ["error": .string(failure.description)])
            return back(request, error: "stripe")
        }
    }

    private static func customer(of billing: BillingAccount, _ tenant: Tenant, _ stripe: StripeClient, _ request: Request) async throws -> String {
        if let existing = billing.stripeCustomerID { return existing }
        // The same key for the organization's every first try: two clicks make one customer.
        let organization = tenant.organizationID.uuidString.lowercased()
        let customer = try await stripe.createCustomer(
            email: tenant.user.email, name: tenant.organization.name, metadata: ["organization": organization], idempotencyKey: "customer/\(organization)")
        billing.stripeCustomerID = customer.id
        billing.updatedAt = request.now
        try await billing.save(on: request.db)
        try await audit(tenant, request, "customer.created", "Stripe customer \(customer.id).")
        return customer.id
    }

    /// Only to an https page (Stripe's), or the loopback fake's in tests: never wherever an answer points.
    private static func redirect(_ request: Request, toStripe url: String?) throws -> Response {
        guard let url, let parsed = URL(string: url), let host = parsed.host,
            parsed.scheme == "https" || (parsed.scheme == "http" && AppConfiguration.loopbackHosts.contains(host))
        else { throw Abort(.badGateway, reason: "Stripe answered without a page to go to.") }
        return request.redirect(to: url, redirectType: .normal)
    }

    private static func back(_ request: Request, error: String) -> Response {
        request.redirect(to: SiteURL.billing.path + "?error=" + error, redirectType: .normal)
    }

    private static func audit(_ tenant: Tenant, _ request: Request, _ action: String, _ detail: String) async throws {
        try await BillingAuditLine(organizationID: tenant.organizationID, at: request.now, action: action, detail: detail, stripeEventID: nil)
            .create(on: request.db)
    }
}
