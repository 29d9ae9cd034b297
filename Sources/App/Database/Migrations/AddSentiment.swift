import Fluent
import SQLKit

/// The sentiment of each inbound text message (`ClassifySentiment`), and of each conversation: its
/// customer's latest classified message, which the conversation list filters on.
struct AddSentiment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("messages").field("sentiment", .string).update()
        try await database.schema("conversations").field("sentiment", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("conversations").deleteField("sentiment").update()
        try await database.schema("messages").deleteField("sentiment").update()
    }
}
