import Fluent
import SQLKit

struct CreateMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("messages")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("connection_id", .uuid, .required, .references("whatsapp_connections", "id", onDelete: .cascade))
            .field("direction", .string, .required)
            // Meta's message id; an outbound message gets it once the send is accepted.
            .field("wamid", .string)
            .field("kind", .string, .required)
            .field("body", .string)
            .field("content", .string, .required)
            .field("raw", .string)
            .field("status", .string, .required)
            .field("status_at", .datetime, .required)
            .field("error_code", .int)
            .field("error_title", .string)
            .field("reply_to_wamid", .string)
            .field("forwarded", .bool, .required)
            .field("media_id", .string)
            .field("media_mime_type", .string)
            .field("media_sha256", .string)
            .field("media_filename", .string)
            .field("media_size", .int64)
            .field("media_object_key", .string)
            .field("media_state", .string)
            .field("sender_user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("sent_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "connection_id", "wamid")
            .create()
        try await database.sql.create(index: "messages_conversation_id_sent_at")
            .on("messages").column("conversation_id").column("sent_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("messages").delete()
    }
}
