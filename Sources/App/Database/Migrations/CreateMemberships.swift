import Fluent
import SQLKit

struct CreateMemberships: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("memberships")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "user_id")
            .create()
        try await database.sql.create(index: "memberships_user_id")
            .on("memberships").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("memberships").delete()
    }
}
