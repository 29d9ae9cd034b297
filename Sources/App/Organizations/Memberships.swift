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
}
