import Fluent

/// Data keys that belong to the platform rather than to one organization (the accounts key that
/// seals two-factor secrets, `AccountVault`), wrapped by the key provider, one row per key name.
struct CreatePlatformKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("platform_keys")
            .field("name", .string, .identifier(auto: false))
            .field("provider", .string, .required)
            .field("wrapped_key", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("platform_keys").delete()
    }
}
