/// Everything a member can be allowed to do inside an organization.
public enum Permission: String, CaseIterable, Sendable {
    case viewDashboard
    case viewConversations
    case replyToConversations
    case manageContacts
    case manageCampaigns
    case manageTemplates
    /// Teams, tags, canned responses, and who sees which conversations.
    case manageInbox
    case manageAutomation
    case viewAnalytics
    case manageChannels
    case viewMembers
    case manageMembers
    case grantOwnership
    case manageBilling
    case manageOrganizationSettings
    case deleteOrganization
    /// Sign-in rules for everyone in the organization (requiring two-factor sign-in).
    case manageSecurity
}

/// The one permission matrix of the product: which role may do what.
///
/// Read it as a table: a row per permission, the roles that hold it.
public enum PermissionMatrix {
    public static let table: [Permission: Set<Role>] = [
        .viewDashboard: [.owner, .admin, .agent, .viewer],
        .viewConversations: [.owner, .admin, .agent, .viewer],
        .replyToConversations: [.owner, .admin, .agent],
        .manageContacts: [.owner, .admin, .agent],
        .manageCampaigns: [.owner, .admin],
        .manageTemplates: [.owner, .admin],
        .manageInbox: [.owner, .admin],
        .manageAutomation: [.owner, .admin],
        .viewAnalytics: [.owner, .admin, .agent, .viewer],
        .manageChannels: [.owner, .admin],
        .viewMembers: [.owner, .admin, .agent, .viewer],
        .manageMembers: [.owner, .admin],
        .grantOwnership: [.owner],
        .manageBilling: [.owner],
        .manageOrganizationSettings: [.owner, .admin],
        .deleteOrganization: [.owner],
        .manageSecurity: [.owner],
    ]

    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        table[permission, default: []].contains(role)
    }
}

extension Role {
    public func can(_ permission: Permission) -> Bool {
        PermissionMatrix.allows(self, permission)
    }
}
