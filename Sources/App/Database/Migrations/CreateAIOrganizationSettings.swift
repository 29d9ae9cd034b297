import Fluent
import SQLKit

/// An organization's choices for AI assistance (`OrganizationAISettings`), and the prompt version
/// each recorded request was made with.
struct CreateAIOrganizationSettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organization_ai_settings")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("enabled_features", .string, .required)
            .field("model", .string)
            .field("monthly_budget", .double)
            .field("knowledge", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "organization_id")
            .create()
        try await database.schema("ai_usage").field("prompt", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ai_usage").deleteField("prompt").update()
        try await database.schema("organization_ai_settings").delete()
    }
}
