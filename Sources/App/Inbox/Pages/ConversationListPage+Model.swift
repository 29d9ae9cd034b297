import ADSappCore
import Foundation

/// The conversation list: filter tabs with counts, the rows, bulk actions, search.
enum ConversationListPage {
    struct Row {
        var id: UUID
        var name: String
        var preview: String
        var at: Date
        var unread: Int
        var status: Conversation.Status
        var assignee: String?
        var team: String?
        var tags: [String]
        var windowIsOpen: Bool
        var waitingSince: Date?
    }

    /// A search and what it found; `problem` says why it could not run.
    struct Search {
        var query: String
        var hits: [InboxSearch.Hit]
        var problem: String?
    }

    /// A note that names the reader, not yet seen.
    struct MentionRow {
        var conversationID: UUID
        var contactName: String
        var by: String
        var at: Date
    }

    struct Model {
        var rows: [Row] = []
        var mentions: [MentionRow] = []
        var filter = ConversationList.Filter()
        var counts = ConversationList.Counts()
        var nextCursor: String?
        var teams: [Choice] = []
        var tags: [Choice] = []
        var numbers: [Choice] = []
        var members: [Choice] = []
        /// The organization classifies sentiment (or a sentiment filter is set): the list offers the filter.
        var filtersBySentiment = false
        var search: Search?
        var isAvailable = true
        var canWork = false
        var liveCursor: Int64 = 0
        var notice: String?
        var error: String?
        var now: Date
    }
}
