import Fluent
import SQLKit

struct CreateUserSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("user_sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("organization_id", .uuid, .references("organizations", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("user_agent", .string)
            .unique(on: "token_hash")
            .create()
        try await database.sql.create(index: "user_sessions_user_id")
            .on("user_sessions").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("user_sessions").delete()
    }
}
