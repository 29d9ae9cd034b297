import Fluent
import SQLKit

/// Billing with Stripe: one account per organization (its Stripe customer and the subscription state
/// the webhooks bring), every Stripe event received (stored before it is acknowledged, once per event
/// id), and the audit lines of every billing state change.
struct CreateBilling: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("billing_accounts")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("stripe_customer_id", .string)
            .field("stripe_subscription_id", .string)
            .field("plan", .string)
            .field("subscription_status", .string)
            .field("cancel_at_period_end", .bool, .required)
            .field("current_period_end", .datetime)
            .field("trial_end", .datetime)
            .field("payment_failed_at", .datetime)
            .field("grace_until", .datetime)
            .field("read_only_since", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "organization_id")
            .unique(on: "stripe_customer_id")
            .create()

        try await database.schema("stripe_events")
            .field("id", .string, .identifier(auto: false))
            .field("type", .string, .required)
            .field("created", .datetime, .required)
            .field("body", .data, .required)
            .field("received_at", .datetime, .required)
            .field("processed_at", .datetime)
            .field("organization_id", .uuid)
            .field("outcome", .string)
            .create()

        try await database.schema("billing_audit")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("action", .string, .required)
            .field("detail", .string, .required)
            .field("stripe_event_id", .string)
            .create()
        try await database.sql.create(index: "billing_audit_organization_at").on("billing_audit").column("organization_id").column("at").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["billing_audit", "stripe_events", "billing_accounts"] {
            try await database.schema(table).delete()
        }
    }
}
