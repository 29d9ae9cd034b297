import Fluent
import Foundation
import SQLKit

/// The conversation list: filtered, newest activity first, a page at a time, with how many
/// conversations each filter holds and how many of those have unread messages.
struct ConversationList: Sendable {
    struct Filter: Equatable, Sendable {
        enum Assignee: String, CaseIterable, Sendable { case all, mine, unassigned }

        var status: Conversation.Status = .open
        var assignee: Assignee = .all
        var teamID: UUID?
        var tagID: UUID?
        var connectionID: UUID?
        /// The customer's latest classified sentiment (`ClassifySentiment`).
        var sentiment: Sentiment?
    }

    /// For each status and each assignee choice (within the other parts of the filter): how many
    /// conversations, and how many of them have unread messages.
    struct Counts: Equatable, Sendable {
        struct Count: Equatable, Sendable {
            var total = 0
            var unread = 0

            mutating func add(_ number: Int, unread isUnread: Bool) {
                total += number
                if isUnread { unread += number }
            }
        }

        var byStatus: [Conversation.Status: Count] = [:]
        var byAssignee: [Filter.Assignee: Count] = [:]
    }

    let scope: TenantScope
    let access: InboxAccess
    /// The organization's grouped counts, shared by everyone reading the list.
    let shared: ConversationCounts

    /// A row of the list: the conversation and its contact, read as plain values (a page of them
    /// is read on every refresh of every agent's list, so it skips building Fluent models).
    struct Row: Sendable, Equatable {
        var id: UUID
        var connectionID: UUID
        var contactID: UUID
        var contactWaID: String?
        var contactUserID: String?
        var contactName: String?
        var status: Conversation.Status
        var lastMessageAt: Date
        var lastMessagePreview: String?
        var lastInboundAt: Date?
        var unreadCount: Int
        var assigneeID: UUID?
        var teamID: UUID?
        var snoozedUntil: Date?
        var waitingSince: Date?

        /// The name agents know the customer by.
        var displayName: String { Contact.displayName(profileName: contactName, waID: contactWaID, userID: contactUserID) }
    }

    /// One page, after `cursor` (the last row of the previous page). The keyset is the last
    /// activity and the id, so a page never repeats or skips a row because others arrived: a
    /// conversation that gets a new message moves to the top, where the live list shows it.
    func page(_ filter: Filter, after cursor: KeysetCursor?, limit: Int) async throws -> (rows: [Row], next: KeysetCursor?) {
        var conditions = conditions(filter)
        if let cursor {
            // A row comparison, which both databases answer from the list's index.
            conditions.append("(v.last_message_at, v.id) < (\(bind: cursor.createdAt), \(bind: cursor.id))")
        }
        let rows = try await select(conditions, limit: limit + 1)
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { KeysetCursor(createdAt: $0.lastMessageAt, id: $0.id) } : nil
        return (page, next)
    }

    /// Which of these conversations the filter shows now, as the list shows them: what a live list
    /// patches in when they changed (a conversation missing here leaves the list).
    func rows(_ filter: Filter, ids: [UUID]) async throws -> [Row] {
        guard !ids.isEmpty else { return [] }
        var conditions = conditions(filter)
        conditions.append("v.id IN \(SQLGroupExpression(ids.map { SQLBind($0) }))")
        return try await select(conditions, limit: ids.count)
    }

    private func conditions(_ filter: Filter) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = [
            "v.organization_id = \(bind: scope.organizationID)", "v.status = \(bind: filter.status.rawValue)",
        ]
        switch filter.assignee {
        case .all: break
        case .mine: conditions.append("v.assignee_id = \(bind: access.membershipID)")
        case .unassigned: conditions.append("v.assignee_id IS NULL")
        }
        if let visible = access.visibleConversations { conditions.append(visible) }
        if let teamID = filter.teamID { conditions.append("v.team_id = \(bind: teamID)") }
        if let connectionID = filter.connectionID { conditions.append("v.connection_id = \(bind: connectionID)") }
        if let sentiment = filter.sentiment { conditions.append("v.sentiment = \(bind: sentiment.rawValue)") }
        if let tagID = filter.tagID {
            conditions.append("EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = v.id AND t.tag_id = \(bind: tagID))")
        }
        return conditions
    }

    private func select(_ conditions: [SQLQueryString], limit: Int) async throws -> [Row] {
        try await scope.rows(
            """
            SELECT v.id, v.connection_id, v.contact_id, v.status, v.last_message_at, v.last_message_preview, v.last_inbound_at,
                   v.unread_count, v.assignee_id, v.team_id, v.snoozed_until, v.waiting_since,
                   c.wa_id, c.user_id, c.profile_name
            FROM conversations v JOIN contacts c ON c.id = v.contact_id
            WHERE \(SQLList(conditions, separator: SQLRaw(" AND ")))
            ORDER BY v.last_message_at DESC, v.id DESC
            LIMIT \(unsafeRaw: String(limit))
            """,
            as: Row.self
        )
    }

    /// All the numbers of the filter tabs, added up from the organization's shared grouped count.
    func counts(_ filter: Filter) async throws -> Counts {
        let buckets = try await shared.buckets(organizationID: scope.organizationID, tagID: filter.tagID)
        var counts = Counts()
        for status in Conversation.Status.allCases { counts.byStatus[status] = .init() }
        for assignee in Filter.Assignee.allCases { counts.byAssignee[assignee] = .init() }
        for (bucket, number) in buckets where mayCount(bucket, filter) {
            let mine = bucket.assigneeID == access.membershipID
            let assignees: [Filter.Assignee] = [.all] + (mine ? [.mine] : bucket.assigneeID == nil ? [.unassigned] : [])
            if assignees.contains(filter.assignee) {
                counts.byStatus[bucket.status]!.add(number, unread: bucket.unread)
            }
            if bucket.status == filter.status {
                for assignee in assignees { counts.byAssignee[assignee]!.add(number, unread: bucket.unread) }
            }
        }
        return counts
    }

    /// Whether a bucket is within the filter's team and number and what the member may see.
    private func mayCount(_ bucket: ConversationCounts.Bucket, _ filter: Filter) -> Bool {
        if let teamID = filter.teamID, bucket.teamID != teamID { return false }
        if let connectionID = filter.connectionID, bucket.connectionID != connectionID { return false }
        guard let teams = access.teams else { return true }
        return bucket.assigneeID == access.membershipID || bucket.teamID.map(teams.contains) == true
    }
}

extension ConversationList.Row: ResultRow {
    init(_ columns: some RowColumns) throws {
        self.init(
            id: try columns.decode("id"),
            connectionID: try columns.decode("connection_id"),
            contactID: try columns.decode("contact_id"),
            contactWaID: try columns.decode("wa_id"),
            contactUserID: try columns.decode("user_id"),
            contactName: try columns.decode("profile_name"),
            status: Conversation.Status(rawValue: try columns.decode("status")) ?? .open,
            lastMessageAt: try columns.decode("last_message_at"),
            lastMessagePreview: try columns.decode("last_message_preview"),
            lastInboundAt: try columns.decode("last_inbound_at"),
            unreadCount: try columns.decode("unread_count"),
            assigneeID: try columns.decode("assignee_id"),
            teamID: try columns.decode("team_id"),
            snoozedUntil: try columns.decode("snoozed_until"),
            waitingSince: try columns.decode("waiting_since")
        )
    }
}
