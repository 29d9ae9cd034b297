import ADSappCore
import Fluent
import Foundation

extension MembersPage {
    /// The organization's members in joining order, with the role changes and removals the reader may make.
    static func query(_ tenant: Tenant, notice: String?, error: String?) async throws -> Model {
        let memberships = try await tenant.scope.query(Membership.self).with(\.$user).sort(\.$createdAt).all()
        let owners = memberships.filter { $0.role == .owner }.count
        let rows = memberships.map { membership in
            let isSelf = membership.$user.id == tenant.signedIn.userID
            let assignable = Role.allCases.filter { candidate in
                (try? MembershipRules.checkRoleChange(actor: tenant.role, target: membership.role, newRole: candidate, ownerCount: owners)) != nil
            }
            let canRemove = (try? MembershipRules.checkRemoval(actor: tenant.role, target: membership.role, ownerCount: owners, isSelf: isSelf)) != nil
            return Row(
                membershipID: membership.id!, name: membership.user.name, email: membership.user.email,
                role: membership.role, joined: membership.createdAt, isSelf: isSelf,
                assignableRoles: assignable.count > 1 ? assignable : [], canRemove: canRemove
            )
        }
        return Model(organizationName: tenant.organization.name, rows: rows, notice: notice, error: error)
    }
}
