import ADSappCore
import Fluent
import Foundation

extension MembersPage {
    /// The organization's members in joining order, with the role changes and removals the reader may make,
    /// and for those who may invite, the open invitations (newest first) and the invite form.
    static func query(_ tenant: Tenant, notice: String?, error: String?, invite form: InviteForm? = nil, language: Language = .default, now: Date)
        async throws -> Model
    {
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
        var model = Model(organizationName: tenant.organization.name, rows: rows, notice: notice, error: error)
        let roles = Role.allCases.filter { (try? MembershipRules.checkInvitation(actor: tenant.role, role: $0)) != nil }
        guard !roles.isEmpty else { return model }
        let teams = try await tenant.scope.query(Team.self).sort(\.$name).all().map { TeamChoice(id: $0.id!, name: $0.name) }
        var invite = form ?? InviteForm(language: language, roles: roles, teams: teams)
        invite.roles = roles
        invite.teams = teams
        model.invite = invite
        model.invitations = try await Invitations.open(in: tenant.scope).map {
            InvitationRow(id: $0.id!, email: $0.email, role: $0.role, inviterName: $0.inviterName, expiresAt: $0.expiresAt, isExpired: $0.expiresAt <= now)
        }
        return model
    }
}
