import Fluent
import SQLKit

/// The local outbox: every email the app sends when no provider is configured, for operators
/// (`/admin/outbox`) and tests to read.
struct CreateOutboxEmails: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_emails")
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("to_address", .string, .required)
            .field("subject", .string, .required)
            .field("text_body", .string, .required)
            .field("html_body", .string, .required)
            .field("headers_json", .string, .required)
            .field("message_id", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "message_id")
            .create()
        try await database.sql.create(index: "outbox_emails_created_at").on("outbox_emails").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_emails").delete()
    }
}
