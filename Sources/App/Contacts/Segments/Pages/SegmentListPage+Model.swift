import Foundation

/// `/contacts/segments`: the organization's saved filters, each with how many contacts it selects now.
enum SegmentListPage {
    struct Row: Sendable {
        var id: UUID
        var name: String
        /// Nil when the saved filter no longer applies (it names a custom field since deleted).
        var count: Int?
        var updatedAt: Date
        /// The contact list with the segment's filter.
        var contactsURL: String
    }

    struct Model {
        var rows: [Row]
        var notice: String?
    }
}
