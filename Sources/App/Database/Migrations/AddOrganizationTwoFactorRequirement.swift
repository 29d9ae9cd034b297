import Fluent

/// Owners can require two-factor sign-in of everyone in their organization: since when, or `NULL`.
struct AddOrganizationTwoFactorRequirement: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organizations").field("two_factor_required_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organizations").deleteField("two_factor_required_at").update()
    }
}
