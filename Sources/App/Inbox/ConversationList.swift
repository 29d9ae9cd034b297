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

        }

        var byStatus: [Conversation.Status: Count] = [:]
        var byAssignee: [Filter.Assignee: Count] = [:]
    }

    let scope: TenantScope
    let access: InboxAccess

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

    /// Counts stop here: a tab shows "999+" rather than make every list read walk an inbox of a
    /// hundred thousand conversations. Below it they are exact.
    static let countCap = 1000

    /// All the numbers of the filter tabs, in one statement: one bounded index range per number.
    func counts(_ filter: Filter) async throws -> Counts {
        let sql = scope.database as! any SQLDatabase
        var columns: [any SQLExpression] = []
        var keys: [(status: Conversation.Status?, assignee: Filter.Assignee?, unread: Bool)] = []
        func add(_ status: Conversation.Status, _ assignee: Filter.Assignee, key: (Conversation.Status?, Filter.Assignee?)) {
            for unread in [false, true] {
                columns.append(SQLAlias(count(status: status, assignee: assignee, unread: unread, filter), as: SQLIdentifier("c\(columns.count)")))
                keys.append((key.0, key.1, unread))
            }
        }
        for status in Conversation.Status.allCases { add(status, filter.assignee, key: (status, nil)) }
        for assignee in Filter.Assignee.allCases { add(filter.status, assignee, key: (nil, assignee)) }
        guard let row = try await sql.select().columns(columns).first() else { return Counts() }

        var counts = Counts()
        for (index, key) in keys.enumerated() {
            let value = try row.decode(column: "c\(index)", as: Int.self)
            if let status = key.status {
                if key.unread { counts.byStatus[status, default: .init()].unread = value } else { counts.byStatus[status, default: .init()].total = value }
            } else if let assignee = key.assignee {
                if key.unread { counts.byAssignee[assignee, default: .init()].unread = value } else { counts.byAssignee[assignee, default: .init()].total = value }
            }
        }
        return counts
    }

    /// `(SELECT count(*) FROM (SELECT 1 FROM conversations WHERE … LIMIT cap))`, with every value bound.
    private func count(status: Conversation.Status, assignee: Filter.Assignee, unread: Bool, _ filter: Filter) -> SQLQueryString {
        var conditions: [SQLQueryString] = [
            "conversations.organization_id = \(bind: scope.organizationID)", "conversations.status = \(bind: status.rawValue)",
        ]
        switch assignee {
        case .all: break
        case .mine: conditions.append("conversations.assignee_id = \(bind: access.membershipID)")
        case .unassigned: conditions.append("conversations.assignee_id IS NULL")
        }
        if unread { conditions.append("conversations.unread_count > 0") }
        if let teams = access.teams {
            conditions.append(teams.isEmpty
                ? "conversations.assignee_id = \(bind: access.membershipID)"
                : "(conversations.assignee_id = \(bind: access.membershipID) OR conversations.team_id IN \(SQLGroupExpression(teams.map { SQLBind($0) })))")
        }
        if let teamID = filter.teamID { conditions.append("conversations.team_id = \(bind: teamID)") }
        if let connectionID = filter.connectionID { conditions.append("conversations.connection_id = \(bind: connectionID)") }
        if let tagID = filter.tagID {
            conditions.append("conversations.id IN (SELECT conversation_id FROM conversation_tags WHERE tag_id = \(bind: tagID))")
        }
        let whereClause = SQLList(conditions, separator: SQLRaw(" AND "))
        return "(SELECT count(*) FROM (SELECT 1 FROM conversations WHERE \(whereClause) LIMIT \(unsafeRaw: String(Self.countCap))) AS capped)"
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
