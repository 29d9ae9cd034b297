import Foundation

/// `/contacts/:id`: profile, custom fields, tags, consent, conversations, notes, history, merge,
/// delete and the privacy buttons.
enum ContactPage {
    struct Conversation: Sendable {
        var id: UUID
        var number: String
        var lastMessageAt: Date
        var preview: String?
    }

    struct Tag: Sendable {
        var id: UUID
        var name: String
    }

    struct Note: Sendable {
        var author: String
        var body: String
        var createdAt: Date
    }

    struct HistoryLine: Sendable {
        var kind: ContactEventKind
        var detail: String?
        var actor: String?
        var createdAt: Date
    }

    struct Candidate: Sendable {
        var id: UUID
        var name: String
        var phone: String?
    }

    struct Model {
        var id: UUID
        var name: String
        var profileName: String?
        var phone: String?
        var email: String?
        var createdAt: Date
        var lastInboundAt: Date?
        var fields: [(label: String, value: String)]
        var tags: [Tag]
        var otherTags: [Tag]
        var marketing: MarketingStatus
        var marketingSource: ConsentSource?
        var marketingChangedAt: Date?
        var conversations: [Conversation]
        var notes: [Note]
        var history: [HistoryLine]
        var canManage: Bool
        var canErase: Bool
        /// The merge search typed, and what it found.
        var mergeSearch: String
        var candidates: [Candidate]
        var notice: String?
        var error: String?
    }
}
