import ADSappCore
import Foundation

/// The members of the current organization, with role changes and removal for those allowed,
/// and (for Owners and Admins) the invitations: a form to invite, and the open ones to resend or withdraw.
enum MembersPage {
    struct Row {
        var membershipID: UUID
        var name: String
        var email: String
        var role: Role
        var joined: Date
        var isSelf: Bool
        /// Roles the viewer may give this member; empty when they may not change it.
        var assignableRoles: [Role]
        var canRemove: Bool
    }

    struct TeamChoice {
        var id: UUID
        var name: String
    }

    /// The invite form: what was typed, the choices the viewer has, and what was wrong.
    struct InviteForm {
        var email: String = ""
        var role: Role = .agent
        var teamIDs: [UUID] = []
        var language: Language = .default
        /// The roles the viewer may invite with.
        var roles: [Role]
        var teams: [TeamChoice]
        var emailError: String?
        var error: String?
    }

    struct InvitationRow {
        var id: UUID
        var email: String
        var role: Role
        var inviterName: String
        var expiresAt: Date
        var isExpired: Bool
    }

    struct Model {
        var organizationName: String
        var rows: [Row]
        var notice: String?
        var error: String?
        /// `nil` when the viewer may not invite.
        var invite: InviteForm? = nil
        var invitations: [InvitationRow] = []
    }
}
