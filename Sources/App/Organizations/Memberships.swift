import ADSappCore
import Fluent
import Foundation

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

    /// The organizations a person belongs to, for the organization switcher.
    func organizations(userID: UUID) async throws -> [(organization: Organization, role: Role)] {
        let memberships = try await Membership.query(on: database).filter(\.$user.$id == userID).all()
        let byID = Dictionary(uniqueKeysWithValues: memberships.map { ($0.organizationID, $0.role) })
        guard !byID.isEmpty else { return [] }
        let organizations = try await Organization.query(on: database).filter(\.$id ~~ Array(byID.keys)).sort(\.$name).all()
        return organizations.map { ($0, byID[$0.id!]!) }
    }
}
