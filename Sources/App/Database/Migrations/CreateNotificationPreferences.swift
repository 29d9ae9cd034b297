import Fluent
import SQLKit

/// Which notifications each member gets by email, and the one-click unsubscribe tokens (stored hashed).
struct CreateNotificationPreferences: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("notification_preferences")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("membership_id", .uuid, .required, .references("memberships", "id", onDelete: .cascade))
            .field("mention", .bool, .required)
            .field("assignment", .bool, .required)
            .field("daily_digest", .bool, .required)
            .field("last_digest_at", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "membership_id")
            .create()
        try await database.sql.create(index: "notification_preferences_digest")
            .on("notification_preferences").column("daily_digest").run()
        try await database.schema("notification_unsubscribes")
            .field("id", .uuid, .identifier(auto: false))
            .field("token_hash", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("membership_id", .uuid, .required, .references("memberships", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.sql.create(index: "notification_unsubscribes_created_at")
            .on("notification_unsubscribes").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notification_unsubscribes").delete()
        try await database.schema("notification_preferences").delete()
    }
}
