import Fluent
import SQLKit

/// The organization's own conversation categories for the AI to choose from (`CategorizeConversations`),
/// one name a line.
struct AddAICategories: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organization_ai_settings").field("categories", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organization_ai_settings").deleteField("categories").update()
    }
}
