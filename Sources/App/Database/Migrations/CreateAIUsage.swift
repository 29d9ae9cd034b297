import Fluent
import SQLKit

/// One row per AI request an organization made: which feature, which model answered, its tokens and
/// cost. The month's rows are its AI credits (one a request) and its spend against the budget.
struct CreateAIUsage: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("ai_usage")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("feature", .string, .required)
            .field("model", .string, .required)
            .field("prompt_tokens", .int, .required)
            .field("completion_tokens", .int, .required)
            .field("cost", .double, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "ai_usage_organization_created").on("ai_usage").column("organization_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ai_usage").delete()
    }
}
