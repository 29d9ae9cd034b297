import Foundation

/// `/admin/outbox`: the emails the local outbox holds, newest first, a page at a time.
enum OutboxPage {
    static let pageSize = 50

    struct Model {
        struct Row {
            var id: UUID
            var kind: String
            var to: String
            var subject: String
            var createdAt: Date
        }

        var rows: [Row]
        /// 1-based.
        var page: Int
        var hasNext: Bool
        /// Whether mail goes to a provider (the outbox then only holds what was written before).
        var provider: String
    }
}

/// `/admin/outbox/:id`: one email's headers, text part, and HTML part (in a sandboxed frame).
enum OutboxEmailPage {
    struct Model {
        var id: UUID
        var kind: String
        var subject: String
        var createdAt: Date
        var headers: [(name: String, value: String)]
        var text: String
        var links: [String]
        var htmlURL: String
    }
}
