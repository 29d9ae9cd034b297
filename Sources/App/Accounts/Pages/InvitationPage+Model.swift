import ADSappCore
import Foundation

/// An invitation's link: who invites to which organization with which role, and what the reader
/// can do (sign up, sign in, join, or learn that it is meant for another address).
enum InvitationPage {
    enum Viewer {
        case anonymous
        /// Signed in with the invited address.
        case invitee
        /// Signed in with another address (`signedInEmail`).
        case otherAccount
    }

    struct Model {
        var token: String
        var organizationName: String
        var inviterName: String
        var email: String
        var role: Role
        var expiresAt: Date
        var viewer: Viewer
        var signedInEmail: String?
        /// The sign-up form as typed.
        var name: String = ""
        var errors: [String: String] = [:]
        var error: String?
    }
}
