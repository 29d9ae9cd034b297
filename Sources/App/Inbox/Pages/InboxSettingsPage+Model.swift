import Foundation

/// Settings → Inbox.
enum InboxSettingsPage {
    struct TeamRow {
        var id: UUID
        var name: String
        var autoAssign: Bool
        var members: Set<UUID>
    }

    struct MemberRow {
        var id: UUID
        var name: String
        var capacity: Int
        var available: Bool
    }

    struct CannedRow {
        var id: UUID
        var shortcut: String
        var body: String
    }

    struct Model {
        var canManage: Bool
        var agentsSeeAll: Bool
        var teams: [TeamRow]
        var members: [MemberRow]
        var tags: [Choice]
        var cannedResponses: [CannedRow]
        var notice: String?
        var error: String?
    }
}
