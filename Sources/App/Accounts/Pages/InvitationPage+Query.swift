import ADSappCore
import Vapor

extension InvitationPage {
    /// The page for a usable invitation, as the reader sees it (signed out, the invitee, or someone else).
    static func query(_ request: Request, _ invitation: Invitation, _ organization: Organization, token: String) -> Model {
        let viewer: Viewer =
            switch request.signedIn?.user.email {
            case nil: .anonymous
            case invitation.email: .invitee
            default: .otherAccount
            }
        return Model(
            token: token, organizationName: organization.name, inviterName: invitation.inviterName, email: invitation.email, role: invitation.role,
            expiresAt: invitation.expiresAt, viewer: viewer, signedInEmail: request.signedIn?.user.email)
    }
}
