import Fluent

struct CreateMessageTemplates: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("message_templates")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("business_account_id", .string, .required)
            .field("meta_id", .string)
            .field("name", .string, .required)
            .field("language", .string, .required)
            .field("category", .string, .required)
            .field("status", .string, .required)
            .field("quality", .string)
            .field("rejected_reason", .string)
            .field("components", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "organization_id", "business_account_id", "name", "language")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("message_templates").delete()
    }
}
