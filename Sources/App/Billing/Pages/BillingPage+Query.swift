import ADSappCore
import Fluent
import Foundation
import Stripe
import Vapor

extension BillingPage {
    static func query(_ request: Request, _ tenant: Tenant, notice: String?, error: String?) async throws -> Model {
        let settings = request.context.configuration.billing
        let scope = tenant.scope
        let usage = try await BillingUsage.of(scope, now: request.now, timeZone: TimeZone(identifier: tenant.organization.timeZone) ?? .gmt)
        let audit = try await scope.query(BillingAuditLine.self).sort(\.$at, .descending).limit(50).all().map {
            AuditLine(at: $0.at, action: $0.action, detail: $0.detail)
        }
        guard settings.stripe != nil, let stripe = Billing.stripeClient(settings) else {
            return Model(
                standing: .selfHosted, plan: nil, periodEnd: nil, usage: BillingLimit.allCases.map { Usage(limit: $0, used: usage.used($0), allowed: nil) },
                nextInvoice: nil, invoices: [], plans: [], trialDays: nil, hasCustomer: false, audit: audit, notice: notice, error: error)
        }
        let account = try await scope.query(BillingAccount.self).first()
        let state = request.billingAccess.state(of: account)
        let standing: Standing
        if let since = state.readOnlySince {
            standing = .readOnly(since: since)
        } else if state.needsPlan {
            standing = .noPlan
        } else if account?.subscriptionStatus == "past_due" || account?.paymentFailedAt != nil {
            standing = .pastDue(graceUntil: account?.graceUntil)
        } else if account?.cancelAtPeriodEnd == true {
            standing = .cancelling(at: account?.currentPeriodEnd)
        } else if account?.subscriptionStatus == "trialing" {
            standing = .trialing(until: account?.trialEnd)
        } else {
            standing = .active
        }
        var invoices: [Invoice] = []
        var next: Invoice?
        var problem = error
        let language = request.language
        func invoice(_ invoice: StripeInvoice) -> Invoice {
            Invoice(
                number: invoice.number ?? "—", date: invoice.created.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                amount: money(invoice.amountDue, currency: invoice.currency, language: language), status: invoice.status ?? "",
                url: invoice.hostedInvoiceURL.flatMap { $0.hasPrefix("https://") ? $0 : nil })
        }
        if let customer = account?.stripeCustomerID {
            do {
                invoices = try await stripe.invoices(customer: customer, limit: 12).data.map(invoice)
                if let subscription = account?.stripeSubscriptionID, account?.isSubscribed == true {
                    var preview = invoice(try await stripe.nextInvoice(customer: customer, subscription: subscription, idempotencyKey: UUID().uuidString))
                    preview.date = account?.currentPeriodEnd
                    next = preview
                }
            } catch let failure as StripeError {
                request.logger.warning("Billing page: Stripe did not answer", metadata: ["error": .string(failure.description)])
                problem = problem ?? request.localizer(.billingStripeUnreachable)
            }
        }
        return Model(
            standing: standing, plan: state.plan, periodEnd: account?.currentPeriodEnd,
            usage: BillingLimit.allCases.map { Usage(limit: $0, used: usage.used($0), allowed: $0.allowed(by: state.allowance)) },
            nextInvoice: next, invoices: invoices, plans: Plan.allCases,
            trialDays: account?.stripeSubscriptionID == nil && settings.trialDays > 0 ? settings.trialDays : nil,
            hasCustomer: account?.stripeCustomerID != nil, audit: audit, notice: notice, error: problem)
    }
}
