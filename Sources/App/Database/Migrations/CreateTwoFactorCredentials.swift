import Fluent
import SQLKit

/// Two-factor sign-in (TOTP): each person's sealed shared secret, whether they confirmed it, and the
/// last time step a code was accepted for (a code is never accepted twice), plus their recovery codes
/// (only a hash of each is stored; a used one is deleted).
struct CreateTwoFactorCredentials: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("two_factor_credentials")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("sealed_secret", .data, .required)
            .field("enabled_at", .datetime)
            .field("last_used_step", .int64)
            .field("created_at", .datetime, .required)
            .unique(on: "user_id")
            .create()
        try await database.schema("two_factor_recovery_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "user_id", "code_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("two_factor_recovery_codes").delete()
        try await database.schema("two_factor_credentials").delete()
    }
}
