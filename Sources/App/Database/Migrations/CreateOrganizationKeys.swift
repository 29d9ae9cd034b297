import Fluent

/// One data key per organization, wrapped by the key provider (see `CredentialVault`).
struct CreateOrganizationKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organization_keys")
            .field("organization_id", .uuid, .identifier(auto: false), .references("organizations", "id", onDelete: .cascade))
            .field("provider", .string, .required)
            .field("wrapped_key", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organization_keys").delete()
    }
}
