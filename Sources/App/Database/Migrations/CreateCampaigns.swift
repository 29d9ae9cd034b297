import Fluent
import SQLKit

/// Broadcasts (`Campaign`) and their recipients (`CampaignRecipient`), one row per contact and
/// campaign: the unit of "at most once". Also what campaigns need elsewhere: the organization's
/// time zone and plan limits, and each number's messaging limit (unique customers per 24 hours).
struct CreateCampaigns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        try await database.schema("organizations").field("time_zone", .string, .required, .sql(.default("Europe/Amsterdam"))).update()
        try await database.schema("organizations").field("plan_contact_limit", .int).update()
        try await database.schema("organizations").field("plan_monthly_messages", .int).update()
        try await database.schema("whatsapp_connections").field("messaging_limit", .int, .sql(.default(250))).update()
        try await database.schema("campaigns")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("connection_id", .uuid, .required, .references("whatsapp_connections", "id", onDelete: .cascade))
            .field("template_name", .string, .required)
            .field("template_language", .string, .required)
            .field("template_category", .string, .required)
            .field("message", .string, .required)
            .field("audience", .string, .required)
            .field("status", .string, .required)
            .field("stop_reason", .string)
            .field("send_at", .datetime)
            .field("waiting_reason", .string)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("started_at", .datetime)
            .field("finished_at", .datetime)
            .create()
        try await database.sql.create(index: "campaigns_organization_created").on("campaigns")
            .column("organization_id").column("created_at").run()

        try await database.schema("campaign_recipients")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("campaign_id", .uuid, .required, .references("campaigns", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required)
            .field("position", .int, .required)
            .field("wa_id", .string)
            .field("draft", .string)
            .field("status", .string, .required)
            .field("reason", .string)
            .field("error_code", .int)
            .field("attempts", .int, .required)
            .field("not_before", .datetime)
            .field("wamid", .string)
            .field("claimed_at", .datetime)
            .field("sent_at", .datetime)
            .field("status_at", .datetime)
            .field("confirmed_at", .datetime)
            .unique(on: "campaign_id", "contact_id")
            .create()
        // The sender's claim: the next pending recipients of a campaign, in order.
        try await database.sql.create(index: "campaign_recipients_claim").on("campaign_recipients")
            .column("campaign_id").column("status").column("position").run()
        // Status callbacks find a recipient by the message id Meta gave it.
        try await database.sql.create(index: "campaign_recipients_wamid").on("campaign_recipients")
            .column("organization_id").column("wamid").run()
        // The messaging limit counts the customers reached in the last 24 hours.
        try await database.sql.create(index: "campaign_recipients_claimed").on("campaign_recipients")
            .column("organization_id").column("claimed_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("campaign_recipients").delete()
        try await database.schema("campaigns").delete()
        try await database.schema("whatsapp_connections").deleteField("messaging_limit").update()
        for field in ["time_zone", "plan_contact_limit", "plan_monthly_messages"] {
            try await database.schema("organizations").deleteField(.string(field)).update()
        }
    }
}
