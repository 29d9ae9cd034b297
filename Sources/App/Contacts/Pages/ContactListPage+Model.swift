import Foundation

/// `/contacts`: the organization's contacts, filtered, newest first, a keyset page at a time.
enum ContactListPage {
    struct Row: Sendable {
        var id: UUID
        var name: String
        var phone: String?
        var email: String?
        var tags: [String]
        var marketing: MarketingStatus
        var lastInboundAt: Date?
        var createdAt: Date
    }

    struct Option: Sendable {
        var value: String
        var label: String
    }

    struct Model {
        var rows: [Row]
        var filter: ContactFilter
        var tags: [Option]
        var numbers: [Option]
        var fields: [Option]
        var canManage: Bool
        /// The next page's link (with the filter), when there is one.
        var nextURL: String?
        var exportURL: String
        var error: String?
    }
}
