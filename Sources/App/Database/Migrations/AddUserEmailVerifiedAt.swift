import Fluent

/// When a person proved they read their email address (the link in the verification email, a
/// password reset, or an accepted invitation). Accounts made before stay unverified until then.
struct AddUserEmailVerifiedAt: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("email_verified_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("email_verified_at").update()
    }
}
