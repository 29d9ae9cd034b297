import ADSappCore
import Fluent
import SQLKit
import Vapor

/// Changing roles and removing members of the current organization, for the members page and the API alike.
struct MemberManagement: Sendable {
    let tenant: Tenant

    /// Changes a member's role. Throws `MembershipRuleViolation` when the rules refuse, 404 when no such member here.
    func changeRole(membershipID: UUID, to newRole: Role) async throws -> Membership {
        try await withOrganizationLocked { scope in
            guard let target = try await scope.find(Membership.self, membershipID) else { throw Abort(.notFound) }
            let owners = try await scope.query(Membership.self).filter(\.$role == .owner).count()
            try MembershipRules.checkRoleChange(actor: tenant.role, target: target.role, newRole: newRole, ownerCount: owners)
            target.role = newRole
            try await target.update(on: scope.database)
            try await InboxEventLog.recordAccessChange(organizationID: scope.organizationID, on: scope.database, now: Date())
            return target
        }
    }

    /// Removes a member (or lets one leave) and ends their sessions in this organization.
    func remove(membershipID: UUID) async throws {
        try await withOrganizationLocked { scope in
            guard let target = try await scope.find(Membership.self, membershipID) else { throw Abort(.notFound) }
            let owners = try await scope.query(Membership.self).filter(\.$role == .owner).count()
            let isSelf = target.$user.id == tenant.signedIn.userID
            try MembershipRules.checkRemoval(actor: tenant.role, target: target.role, ownerCount: owners, isSelf: isSelf)
            try await target.delete(on: scope.database)
            try await UserSession.query(on: scope.database)
                .filter(\.$user.$id == target.$user.id)
                .filter(\.$organizationID == scope.organizationID)
                .delete()
            try await InboxEventLog.recordAccessChange(organizationID: scope.organizationID, on: scope.database, now: Date())
        }
    }

    /// The one place a person becomes a member of an organization: sign-up (its first Owner), an
    /// accepted invitation, a new organization. Adds them to the given teams of that organization
    /// (ids of other organizations' teams are ignored) and records the access change, so open live
    /// inboxes of the organization read who may see what again. Call it inside the transaction that
    /// needs it, with the organization locked when seats or roles are being counted.
    static func addMember(userID: UUID, role: Role, teamIDs: [UUID] = [], in scope: TenantScope, now: Date) async throws -> Membership {
        let membership = Membership(organizationID: scope.organizationID, userID: userID, role: role, createdAt: now)
        try await membership.create(on: scope.database)
        if !teamIDs.isEmpty {
            let teams = try await scope.query(Team.self).filter(\.$id ~~ teamIDs).all()
            for team in teams {
                try await TeamMember(organizationID: scope.organizationID, teamID: team.id!, membershipID: membership.id!).create(on: scope.database)
            }
        }
        try await InboxEventLog.recordAccessChange(organizationID: scope.organizationID, on: scope.database, now: now)
        return membership
    }

    /// Runs membership changes of one organization one at a time, so two owners demoting each
    /// other at once cannot leave it without an owner. SQLite is serialized by its single connection.
    private func withOrganizationLocked<T: Sendable>(_ work: @escaping @Sendable (TenantScope) async throws -> T) async throws -> T {
        try await Self.withOrganizationLocked(tenant.scope, work)
    }

    /// The same lock for every change that counts members, roles or seats (invitations too).
    static func withOrganizationLocked<T: Sendable>(_ scope: TenantScope, _ work: @escaping @Sendable (TenantScope) async throws -> T) async throws -> T {
        try await scope.transaction { scope in
            try await scope.lockRow(of: "organizations", id: scope.organizationID)
            return try await work(scope)
        }
    }
}
