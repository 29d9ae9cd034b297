import Fluent
import SQLKit

/// Invitations to join an organization: the address, the role (and teams) it joins with, who
/// invited, and the hash of the single-use link's token.
struct CreateInvitations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("invitations")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("team_ids", .string, .required)
            .field("invited_by_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("inviter_name", .string, .required)
            .field("language", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.sql.create(index: "invitations_organization_id_email")
            .on("invitations").column("organization_id").column("email").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("invitations").delete()
    }
}
