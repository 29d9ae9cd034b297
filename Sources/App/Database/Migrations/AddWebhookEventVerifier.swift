import Fluent

/// Which secret proved each stored webhook body, and what of it was refused for reaching beyond
/// that (`WebhookVerifier`, DESIGN rule 9). Rows stored before have no verifier and are processed
/// as the platform app's: the narrower reading for a connection with its own app.
struct AddWebhookEventVerifier: AsyncMigration {
    static let columns: [(FieldKey, DatabaseSchema.DataType)] = [
        ("verifier", .string), ("verifier_connection_id", .uuid), ("refused", .string),
    ]

    func prepare(on database: any Database) async throws {
        // One column a statement: SQLite adds one at a time.
        for (name, type) in Self.columns {
            try await database.schema("webhook_events").field(name, type).update()
        }
    }

    func revert(on database: any Database) async throws {
        for (name, _) in Self.columns.reversed() {
            try await database.schema("webhook_events").deleteField(name).update()
        }
    }
}
