import Fluent
import SQLKit

struct CreateWhatsAppConnections: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("whatsapp_connections")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("phone_number_id", .string, .required)
            .field("business_account_id", .string, .required)
            .field("display_phone_number", .string, .required)
            .field("verified_name", .string)
            .field("quality_rating", .string)
            .field("access_token_sealed", .data, .required)
            .field("app_secret_sealed", .data)
            .field("verify_token_sealed", .data)
            .field("sends_per_second", .int, .required)
            .field("state", .string, .required)
            .field("state_detail", .string)
            .field("checked_at", .datetime)
            .field("created_at", .datetime, .required)
            // A number delivers its webhooks to one place, so it belongs to one organization.
            .unique(on: "phone_number_id")
            .create()
        try await database.sql.create(index: "whatsapp_connections_organization_id")
            .on("whatsapp_connections").column("organization_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("whatsapp_connections").delete()
    }
}
