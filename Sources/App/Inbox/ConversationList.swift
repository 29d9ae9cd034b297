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

            mutating func add(_ other: Count) {
                total += other.total
                unread += other.unread
            }
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
            query = query.group(.or) { older in
                older.filter(\.$lastMessageAt < cursor.createdAt)
                older.group(.and) { same in
                    same.filter(\.$lastMessageAt == cursor.createdAt).filter(\.$id < cursor.id)
                }
            }
        }
        let rows = try await query.sort(\.$lastMessageAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { KeysetCursor(createdAt: $0.lastMessageAt, id: $0.id!) } : nil
        return (page, next)
    }

    /// All the numbers of the filter tabs, from one grouped read.
    func counts(_ filter: Filter) async throws -> Counts {
        let sql = scope.database as! any SQLDatabase
        let me = access.membershipID
        let who: SQLQueryString = "CASE WHEN conversations.assignee_id IS NULL THEN 'unassigned' WHEN conversations.assignee_id = \(bind: me) THEN 'mine' ELSE 'other' END"
        var query = sql.select()
            .column(SQLColumn("status", table: "conversations"))
            .column(SQLAlias(who, as: SQLIdentifier("who")))
            .column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("total")))
            .column(SQLAlias(SQLRaw("count(CASE WHEN conversations.unread_count > 0 THEN 1 END)"), as: SQLIdentifier("unread")))
            .from("conversations")
            .where(SQLColumn("organization_id", table: "conversations"), .equal, SQLBind(scope.organizationID))
        if let teams = access.teams {
            var visible: SQLQueryString = "conversations.assignee_id = \(bind: me)"
            if !teams.isEmpty { visible = visible + " OR conversations.team_id IN " + "\(SQLGroupExpression(teams.map { SQLBind($0) }))" }
            query = query.where(SQLGroupExpression(visible))
        }
        if let teamID = filter.teamID { query = query.where(SQLColumn("team_id", table: "conversations"), .equal, SQLBind(teamID)) }
        if let connectionID = filter.connectionID { query = query.where(SQLColumn("connection_id", table: "conversations"), .equal, SQLBind(connectionID)) }
        if let tagID = filter.tagID {
            query = query.join("conversation_tags", on: SQLColumn("conversation_id", table: "conversation_tags"), .equal, SQLColumn("id", table: "conversations"))
                .where(SQLColumn("tag_id", table: "conversation_tags"), .equal, SQLBind(tagID))
        }
        let rows = try await query.groupBy(SQLColumn("status", table: "conversations")).groupBy(SQLIdentifier("who")).all()

        var counts = Counts()
        for status in Conversation.Status.allCases { counts.byStatus[status] = .init() }
        for assignee in Filter.Assignee.allCases { counts.byAssignee[assignee] = .init() }
        for row in rows {
            guard let status = Conversation.Status(rawValue: try row.decode(column: "status", as: String.self)) else { continue }
            let bucket = try row.decode(column: "who", as: String.self)
            let count = Counts.Count(total: try row.decode(column: "total", as: Int.self), unread: try row.decode(column: "unread", as: Int.self))
            let assignees: [Filter.Assignee] = [.all] + (bucket == "mine" ? [.mine] : bucket == "unassigned" ? [.unassigned] : [])
            if assignees.contains(filter.assignee) { counts.byStatus[status]!.add(count) }
            if status == filter.status { for assignee in assignees { counts.byAssignee[assignee]!.add(count) } }
        }
        return counts
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
