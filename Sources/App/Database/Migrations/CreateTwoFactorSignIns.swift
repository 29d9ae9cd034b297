import Fluent
import SQLKit

/// The second step of signing in: a pending sign-in after a correct password (short-lived, single
/// use, bound to the browser), and the devices a person asked to be remembered for 30 days. Only
/// the SHA-256 of each cookie token is stored.
struct CreateTwoFactorSignIns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("two_factor_pending_sign_ins")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("browser_hash", .string, .required)
            .field("next", .string)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.sql.create(index: "two_factor_pending_sign_ins_user_id").on("two_factor_pending_sign_ins").column("user_id").run()
        try await database.schema("two_factor_devices")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("user_agent", .string)
            .unique(on: "token_hash")
            .create()
        try await database.sql.create(index: "two_factor_devices_user_id").on("two_factor_devices").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("two_factor_devices").delete()
        try await database.schema("two_factor_pending_sign_ins").delete()
    }
}
