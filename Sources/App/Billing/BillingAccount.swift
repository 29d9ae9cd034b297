import ADSappCore
import Fluent
import Foundation

/// An organization's side of Stripe: its customer, and the subscription state Stripe's webhooks
/// brought (each read back from Stripe, so the latest state wins whatever order they came in).
final class BillingAccount: Model, TenantOwned, @unchecked Sendable {
    static let schema = "billing_accounts"
    static var organizationIDKey: KeyPath<BillingAccount, FieldProperty<BillingAccount, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    /// Made by us before the first checkout; the only way a webhook finds its organization.
    @OptionalField(key: "stripe_customer_id") var stripeCustomerID: String?
    @OptionalField(key: "stripe_subscription_id") var stripeSubscriptionID: String?
    /// The plan of the subscription's price; `nil`: none (no subscription, or one of another price).
    @OptionalField(key: "plan") var planName: String?
    /// Stripe's subscription status: `trialing`, `active`, `past_due`, `canceled`, `unpaid`, ...
    @OptionalField(key: "subscription_status") var subscriptionStatus: String?
    @Field(key: "cancel_at_period_end") var cancelAtPeriodEnd: Bool
    @OptionalField(key: "current_period_end") var currentPeriodEnd: Date?
    @OptionalField(key: "trial_end") var trialEnd: Date?
    /// Dunning: when the first payment failed, until when the organization stays as it was, and
    /// since when it is read-only (inbox readable, nothing sent) until it pays.
    @OptionalField(key: "payment_failed_at") var paymentFailedAt: Date?
    @OptionalField(key: "grace_until") var graceUntil: Date?
    @OptionalField(key: "read_only_since") var readOnlySince: Date?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(organizationID: UUID, now: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.cancelAtPeriodEnd = false
        self.updatedAt = now
    }

    var plan: Plan? { planName.flatMap(Plan.init(rawValue:)) }

    /// Whether the subscription pays for its plan now (a failed payment keeps it until dunning ends it).
    var isSubscribed: Bool { Self.payingStatuses.contains(subscriptionStatus ?? "") && plan != nil }

    /// Stripe's subscription statuses under which the plan is in force (a failed payment keeps it until dunning ends it).
    static let payingStatuses: Set<String> = ["trialing", "active", "past_due"]
}

/// One line of an organization's billing history: every change of plan, status or dunning state.
final class BillingAuditLine: Model, TenantOwned, @unchecked Sendable {
    static let schema = "billing_audit"
    static var organizationIDKey: KeyPath<BillingAuditLine, FieldProperty<BillingAuditLine, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "at") var at: Date
    /// What happened, e.g. `plan.changed`, `payment.failed`, `read_only.started`.
    @Field(key: "action") var action: String
    /// The details, in English, for operators and owners.
    @Field(key: "detail") var detail: String
    @OptionalField(key: "stripe_event_id") var stripeEventID: String?

    init() {}

    init(organizationID: UUID, at: Date, action: String, detail: String, stripeEventID: String?) {
        self.id = UUID()
        self.organizationID = organizationID
        self.at = at
        self.action = action
        self.detail = detail
        self.stripeEventID = stripeEventID
    }
}
