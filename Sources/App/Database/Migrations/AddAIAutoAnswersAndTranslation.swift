import Fluent
import SQLKit

/// Automatic answers and translation: the organization's guardrails (business hours and when to
/// answer, hand-off words, the confidence an answer needs, the most answers a conversation gets),
/// the mark on each automatic answer, each conversation's AI state (answers given, hand-off, the
/// customer's language) and the translations of inbound messages.
struct AddAIAutoAnswersAndTranslation: AsyncMigration {
    private static let settingsColumns: [(String, DatabaseSchema.DataType)] = [
        ("auto_answer_when", .string), ("business_hours", .string), ("handoff_keywords", .string),
        ("auto_answer_confidence", .double), ("auto_answer_limit", .int),
    ]

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for (name, type) in Self.settingsColumns {
            try await database.schema("organization_ai_settings").field(.string(name), type).update()
        }
        try await database.schema("messages").field("auto_answer", .bool).update()
        try await database.schema("conversation_ai_states")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("auto_answers", .int, .required)
            .field("handed_off_at", .datetime)
            .field("handoff_reason", .string)
            .field("customer_language", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "conversation_id")
            .create()
        try await database.schema("message_translations")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("message_id", .uuid, .required, .references("messages", "id", onDelete: .cascade))
            .field("language", .string, .required)
            .field("source_language", .string, .required)
            .field("text", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "message_id", "language")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("message_translations").delete()
        try await database.schema("conversation_ai_states").delete()
        try await database.schema("messages").deleteField("auto_answer").update()
        for (name, _) in Self.settingsColumns.reversed() {
            try await database.schema("organization_ai_settings").deleteField(.string(name)).update()
        }
    }
}
