import ADSappCore
import Fluent
import Foundation
import SQLKit

/// Membership look-ups that cross organizations on purpose: they answer "which organizations is
/// this person in", which no tenant scope can. Feature code inside an organization uses `TenantScope`.
struct Memberships: Sendable {
    let database: any Database

    func find(userID: UUID, organizationID: UUID) async throws -> Membership? {
        try await Membership.query(on: database)
            .filter(\.$user.$id == userID)
            .filter(\.$organizationID == organizationID)
            .first()
    }

    func first(userID: UUID) async throws -> Membership? {
        try await Membership.query(on: database)
            .filter(\.$user.$id == userID)
            .sort(\.$createdAt)
            .first()
    }

    /// Every membership of a person with its organization, by organization name, in one query:
    /// what the tenant check and the organization switcher of each page need. Hand-written SQL, as
    /// every signed-in page runs it (`ModelRows`).
    func all(userID: UUID) async throws -> [(membership: Membership, organization: Organization)] {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.memberships.columns), \(unsafeRaw: Self.organizations.columns)
            FROM memberships m JOIN organizations o ON o.id = m.organization_id
            WHERE m.user_id = \(bind: userID)
            ORDER BY o.name, o.id
            """
        ).all().map { row in (try Self.memberships.model(from: row), try Self.organizations.model(from: row)) }
    }

    private static let memberships = ModelRows(Membership.self, alias: "m")
    private static let organizations = ModelRows(Organization.self, alias: "o")
}
