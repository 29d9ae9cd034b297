import ADSappCore
import Foundation

/// The members of the current organization, with role changes and removal for those allowed.
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

    struct Model {
        var organizationName: String
        var rows: [Row]
        var notice: String?
        var error: String?
    }
}
