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

    /// One page, after `cursor` (the last row of the previous page). The keyset is the last
    /// activity and the id, so a page never repeats or skips a row because others arrived: a
    /// conversation that gets a new message moves to the top, where the live list shows it.
    func page(_ filter: Filter, after cursor: KeysetCursor?, limit: Int) async throws -> (rows: [Conversation], next: KeysetCursor?) {
        var query = filtered(filter, status: filter.status, assignee: filter.assignee).with(\.$contact)
        if let cursor {
            // A row comparison, which both databases answer from the list's index.
            query = query.filter(.custom(SQLQueryString(
                "(conversations.last_message_at, conversations.id) < (\(bind: cursor.createdAt), \(bind: cursor.id))"
            )))
        }
        let rows = try await query.sort(\.$lastMessageAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { KeysetCursor(createdAt: $0.lastMessageAt, id: $0.id!) } : nil
        return (page, next)
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

    private func filtered(_ filter: Filter, status: Conversation.Status, assignee: Filter.Assignee) -> QueryBuilder<Conversation> {
        let query = access.limit(scope.query(Conversation.self)).filter(\.$status == status)
        switch assignee {
        case .all: break
        case .mine: query.filter(\.$assignee.$id == access.membershipID)
        case .unassigned: query.filter(\.$assignee.$id == nil)
        }
        if let teamID = filter.teamID { query.filter(\.$team.$id == teamID) }
        if let connectionID = filter.connectionID { query.filter(\.$connection.$id == connectionID) }
        if let tagID = filter.tagID {
            query.join(ConversationTag.self, on: \Conversation.$id == \ConversationTag.$conversation.$id)
                .filter(ConversationTag.self, \.$tag.$id == tagID)
        }
        return query
    }
}
