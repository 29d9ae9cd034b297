import Fluent
import SQLKit

struct CreateConversations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("conversations")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("connection_id", .uuid, .required, .references("whatsapp_connections", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("last_message_at", .datetime, .required)
            .field("last_message_preview", .string)
            .field("last_inbound_at", .datetime)
            .field("unread_count", .int, .required)
            .field("created_at", .datetime, .required)
            // One thread per customer and number; resolving and re-opening flips `status`.
            .unique(on: "connection_id", "contact_id")
            .create()
        try await database.sql.create(index: "conversations_organization_id_last_message_at")
            .on("conversations").column("organization_id").column("last_message_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("conversations").delete()
    }
}
