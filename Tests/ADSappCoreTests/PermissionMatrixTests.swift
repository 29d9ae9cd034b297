import ADSappCore
import Testing

/// The permission matrix, checked cell by cell against the table as the product defines it.
/// O = owner, A = admin, G = agent, V = viewer.
@Suite struct PermissionMatrixTests {
    static let expected: [(Permission, String)] = [
        (.viewDashboard, "OAGV"),
        (.viewConversations, "OAGV"),
        (.replyToConversations, "OAG"),
        (.manageContacts, "OAG"),
        (.manageCampaigns, "OA"),
        (.manageTemplates, "OA"),
        (.manageInbox, "OA"),
        (.manageAutomation, "OA"),
        (.viewAnalytics, "OAGV"),
        (.manageChannels, "OA"),
        (.viewMembers, "OAGV"),
        (.manageMembers, "OA"),
        (.grantOwnership, "O"),
        (.manageBilling, "O"),
        (.manageOrganizationSettings, "OA"),
        (.deleteOrganization, "O"),
        (.manageSecurity, "O"),
    ]

    static let letters: [Role: Character] = [.owner: "O", .admin: "A", .agent: "G", .viewer: "V"]

    static var cells: [(Permission, Role, Bool)] {
        expected.flatMap { permission, allowed in
            Role.allCases.map { role in (permission, role, allowed.contains(letters[role]!)) }
        }
    }

    @Test("every permission has a row in the expected table")
    func everyPermissionIsCovered() {
        #expect(Set(Self.expected.map(\.0)) == Set(Permission.allCases))
        #expect(Self.expected.count == Permission.allCases.count)
    }

    @Test("cell", arguments: cells)
    func cell(_ permission: Permission, _ role: Role, _ allowed: Bool) {
        #expect(role.can(permission) == allowed, "\(role) / \(permission)")
    }

    @Test("an owner can do everything, a viewer can change nothing")
    func extremes() {
        #expect(Permission.allCases.allSatisfy { Role.owner.can($0) })
        let viewerCan = Permission.allCases.filter { Role.viewer.can($0) }
        #expect(viewerCan.allSatisfy { $0.rawValue.hasPrefix("view") })
    }

    @Test("roles are ordered owner > admin > agent > viewer")
    func ordering() {
        #expect(Role.owner > Role.admin)
        #expect(Role.admin > Role.agent)
        #expect(Role.agent > Role.viewer)
    }
}
