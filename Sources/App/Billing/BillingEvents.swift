import ADSappCore
import Fluent
import Foundation
import Jobs
import SQLKit
import Stripe

/// What one Stripe event changes, decided from Stripe's current state rather than from the event's
/// own copy: a subscription or invoice event reads the object back (`StripeClient`), so events that
/// arrive twice or out of order leave the latest state. An event acts only on the organization whose
/// Stripe customer it names (DESIGN rule 9: the signature proves Stripe sent it, the customer id says
/// for whom); one naming no customer of ours changes nothing.
struct BillingEvents: Sendable {
    let settings: BillingSettings
    let account: BillingSettings.StripeAccount
    let stripe: StripeClient
    let notices: BillingNotices
    let database: any Database
    let now: @Sendable () -> Date

    /// The outcome recorded with the event, and the writes that make it so (run in the job's completing transaction).
    struct Decision: Sendable {
        var organizationID: UUID?
        var outcome: String
        var writes: @Sendable (any Database) async throws -> Void = { _ in }
    }

    func decide(_ event: StripeEvent) async throws -> Decision {
        switch event.type {
        case "checkout.session.completed":
            let session = try event.object(as: StripeCheckoutSession.self)
            guard let customer = session.customer else { return Decision(outcome: "ignored: the session names no customer") }
            return try await withAccount(customer, event) { billing in
                if let reference = session.clientReferenceID, reference.lowercased() != billing.organizationID.uuidString.lowercased() {
                    return Decision(organizationID: billing.organizationID, outcome: "ignored: client_reference_id names another organization")
                }
                guard let subscription = session.subscription else {
                    return Decision(organizationID: billing.organizationID, outcome: "ignored: no subscription")
                }
                return try await applySubscription(try await stripe.subscription(subscription), to: billing, eventID: event.id)
            }
        case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted":
            let subscription = try event.object(as: StripeSubscription.self)
            return try await withAccount(subscription.customer, event) { billing in
                try await applySubscription(try await stripe.subscription(subscription.id), to: billing, eventID: event.id)
            }
        case "invoice.paid", "invoice.payment_failed":
            let invoice = try event.object(as: StripeInvoice.self)
            guard let customer = invoice.customer, let id = invoice.id else { return Decision(outcome: "ignored: the invoice names no customer") }
            return try await withAccount(customer, event) { billing in
                // A late event about an invoice that has moved on (paid after all, voided) changes nothing.
                let current = try await stripe.invoice(id)
                if event.type == "invoice.paid" {
                    guard current.status == "paid" else {
                        return Decision(organizationID: billing.organizationID, outcome: "ignored: the invoice is \(current.status ?? "unknown") now")
                    }
                    return paid(current, billing, event)
                }
                return try await failed(current, billing, event)
            }
        case "customer.subscription.trial_will_end":
            let subscription = try event.object(as: StripeSubscription.self)
            return try await withAccount(subscription.customer, event) { billing in
                let end = subscription.trialEnd.map { Date(timeIntervalSince1970: TimeInterval($0)) }
                return notify(.trialEnding, date: end, billing, event, action: "trial.ending", detail: "The trial ends \(end.map(Self.day) ?? "soon").")
            }
        case "charge.dispute.created":
            let dispute = try event.object(as: StripeDispute.self)
            guard let charge = dispute.charge else { return Decision(outcome: "ignored: the dispute names no charge") }
            guard let customer = try await stripe.charge(charge).customer else { return Decision(outcome: "ignored: the charge names no customer") }
            return try await withAccount(customer, event) { billing in
                notify(
                    .dispute, date: nil, billing, event, action: "payment.disputed",
                    detail: "A payment of \(Self.amount(dispute.amount, dispute.currency)) is disputed (\(dispute.reason ?? "no reason given")).")
            }
        default:
            return Decision(outcome: "ignored: not an event ADSapp handles")
        }
    }

    // MARK: The organization

    private func withAccount(_ customer: String, _ event: StripeEvent, _ body: (BillingAccount) async throws -> Decision) async throws -> Decision {
        guard let billing = try await BillingAccounts.find(customer: customer, on: database) else {
            return Decision(outcome: "ignored: no organization has the customer \(customer)")
        }
        return try await body(billing)
    }

    // MARK: Subscriptions

    /// Applies the subscription as Stripe has it now. A subscription other than the one the account
    /// follows takes over only when it is live (a new checkout); an old one ending changes nothing.
    func applySubscription(_ subscription: StripeSubscription, to billing: BillingAccount, eventID: String?) async throws -> Decision {
        let organizationID = billing.organizationID
        guard subscription.customer == billing.stripeCustomerID else {
            return Decision(organizationID: organizationID, outcome: "ignored: the subscription belongs to another customer")
        }
        let live = ["trialing", "active", "past_due", "incomplete"].contains(subscription.status)
        if let followed = billing.stripeSubscriptionID, followed != subscription.id, !live {
            return Decision(organizationID: organizationID, outcome: "ignored: an earlier subscription (\(subscription.id)) changed")
        }
        let plan = account.plan(ofPrice: subscription.priceID)
        let before = (billing.planName, billing.subscriptionStatus, billing.cancelAtPeriodEnd)
        let after = (plan?.rawValue, Optional(subscription.status), subscription.cancelAtPeriodEnd)
        var lines: [(String, String)] = []
        if before.0 != after.0 {
            lines.append(("plan.changed", "Plan \(before.0 ?? "none") → \(after.0 ?? "none") (price \(subscription.priceID ?? "none"))."))
        }
        if before.1 != after.1 { lines.append(("subscription.status", "Subscription \(subscription.id): \(before.1 ?? "none") → \(subscription.status).")) }
        if before.2 != after.2 {
            lines.append(
                after.2
                    ? ("subscription.cancelling", "Cancels at the end of the period.") : ("subscription.resumed", "No longer cancels at the end of the period.")
            )
        }
        let at = now()
        let auditLines = lines
        let allowance = Self.allowance(plan: plan, status: subscription.status)
        let periodEnd = subscription.currentPeriodEnd
        let trialEnd = subscription.trialEnd.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        return Decision(
            organizationID: organizationID, outcome: auditLines.isEmpty ? "applied: no change" : "applied: " + auditLines.map(\.0).joined(separator: ", ")
        ) { database in
            let scope = TenantScope(organizationID: organizationID, database: database)
            guard let billing = try await scope.query(BillingAccount.self).first() else { return }
            billing.stripeSubscriptionID = subscription.id
            billing.planName = plan?.rawValue
            billing.subscriptionStatus = subscription.status
            billing.cancelAtPeriodEnd = subscription.cancelAtPeriodEnd
            billing.currentPeriodEnd = periodEnd
            billing.trialEnd = trialEnd
            if subscription.status == "canceled" { (billing.paymentFailedAt, billing.graceUntil) = (nil, nil) }
            billing.updatedAt = at
            try await billing.save(on: database)
            try await BillingAccounts.applyAllowance(allowance, to: organizationID, on: database)
            for (action, detail) in auditLines {
                try await BillingAuditLine(organizationID: organizationID, at: at, action: action, detail: detail, stripeEventID: eventID).create(on: database)
            }
        }
    }

    /// What an organization may use with this subscription state.
    static func allowance(plan: Plan?, status: String?) -> PlanAllowance {
        guard let plan, BillingAccount.payingStatuses.contains(status ?? "") else { return .none }
        return plan.allowance
    }

    // MARK: Payments

    private func paid(_ invoice: StripeInvoice, _ billing: BillingAccount, _ event: StripeEvent) -> Decision {
        let organizationID = billing.organizationID
        let wasFailing = billing.paymentFailedAt != nil
        let at = now()
        let detail = "Invoice \(invoice.number ?? invoice.id ?? "?") paid: \(Self.amount(invoice.amountPaid ?? invoice.amountDue, invoice.currency))."
        let eventID = event.id
        return Decision(organizationID: organizationID, outcome: wasFailing ? "applied: payment.recovered" : "applied: payment.succeeded") { database in
            let scope = TenantScope(organizationID: organizationID, database: database)
            guard let billing = try await scope.query(BillingAccount.self).first() else { return }
            let wasReadOnly = billing.readOnlySince != nil
            (billing.paymentFailedAt, billing.graceUntil, billing.readOnlySince) = (nil, nil, nil)
            billing.updatedAt = at
            try await billing.save(on: database)
            try await BillingAuditLine(organizationID: organizationID, at: at, action: "payment.succeeded", detail: detail, stripeEventID: eventID).create(
                on: database)
            if wasReadOnly {
                try await BillingAuditLine(
                    organizationID: organizationID, at: at, action: "read_only.ended", detail: "Paid: sending works again.", stripeEventID: eventID
                )
                .create(on: database)
            }
        }
    }

    /// A failed payment starts the grace period once (a retry that fails again does not lengthen it).
    private func failed(_ invoice: StripeInvoice, _ billing: BillingAccount, _ event: StripeEvent) async throws -> Decision {
        let organizationID = billing.organizationID
        guard invoice.status == "open" else {
            return Decision(organizationID: organizationID, outcome: "ignored: the invoice is \(invoice.status ?? "unknown") now")
        }
        let at = now()
        let first = billing.paymentFailedAt == nil
        let graceUntil = billing.graceUntil ?? at.addingTimeInterval(TimeInterval(settings.graceDays) * 86_400)
        let detail =
            "Invoice \(invoice.number ?? invoice.id ?? "?") of \(Self.amount(invoice.amountDue, invoice.currency)) was not paid"
            + (first ? "; read-only from \(Self.day(graceUntil)) unless paid." : " again.")
        let notice = first ? notify(.paymentFailed, date: graceUntil, billing, event, action: "payment.failed", detail: detail) : nil
        let eventID = event.id
        return Decision(organizationID: organizationID, outcome: first ? "applied: payment.failed" : "applied: payment.failed again") { database in
            let scope = TenantScope(organizationID: organizationID, database: database)
            guard let billing = try await scope.query(BillingAccount.self).first() else { return }
            if billing.paymentFailedAt == nil {
                billing.paymentFailedAt = at
                billing.graceUntil = graceUntil
                billing.updatedAt = at
                try await billing.save(on: database)
            }
            if let notice {
                try await notice.writes(database)
            } else {
                try await BillingAuditLine(organizationID: organizationID, at: at, action: "payment.failed", detail: detail, stripeEventID: eventID).create(
                    on: database)
            }
        }
    }

    // MARK: Notices

    /// An audit line, and an email to each owner.
    private func notify(
        _ notice: BillingEmail.Notice, date: Date?, _ billing: BillingAccount, _ event: StripeEvent, action: String, detail: String
    ) -> Decision {
        let organizationID = billing.organizationID
        let at = now()
        let eventID = event.id
        return Decision(organizationID: organizationID, outcome: "applied: \(action)") { database in
            try await BillingAuditLine(organizationID: organizationID, at: at, action: action, detail: detail, stripeEventID: eventID).create(on: database)
            try await notices.email(notice, date: date, organizationID: organizationID, on: database)
        }
    }

    static func day(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day())
    }

    static func amount(_ cents: Int, _ currency: String) -> String {
        "\(cents / 100).\(String(format: "%02d", abs(cents % 100))) \(currency.uppercased())"
    }
}
