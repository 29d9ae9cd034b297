@testable import App
import Fluent
import Foundation
import SQLKit
import Testing

/// SQLite plans a batch's lookups by their own unique indexes, not by walking an organization's
/// rows. Always on SQLite (an empty `DATABASE_URL` chooses it), whichever database the suite runs on.
@Suite struct SQLitePlannerStatisticsTests {
    /// What SQLite's planner would do for `query`.
    func plan(_ query: SQLQueryString, on database: any Database) async throws -> String {
        let sql = database as! any SQLDatabase
        return try await sql.raw("EXPLAIN QUERY PLAN " + query).all()
            .map { try $0.decode(column: "detail", as: String.self) }
            .joined(separator: "\n")
    }

    /// A few hundred values, as a webhook batch brings.
    func many<T: Encodable & Sendable>(_ make: (Int) -> T) -> SQLGroupExpression {
        SQLGroupExpression((0..<300).map { SQLBind(make($0)) })
    }

    @Test func batchLookupsUseTheirUniqueIndexes() async throws {
        try await TestApp.run(variables: ["DATABASE_URL": ""]) { app in
            let organization = UUID(), connection = UUID()
            let wamids = many { "wamid.\($0)" }, ids = many { _ in UUID() }

            let known = try await plan(
                """
                SELECT wamid FROM messages
                WHERE organization_id = \(bind: organization) AND connection_id = \(bind: connection) AND wamid IN \(wamids)
                """, on: app.db)
            #expect(known.contains("(connection_id=? AND wamid=?)"), "\(known)")

            let statuses = try await plan(
                """
                UPDATE messages SET status = 'read' WHERE id IN \(ids) AND organization_id = \(bind: organization)
                  AND status IN ('sent', 'delivered')
                """, on: app.db)
            #expect(statuses.contains("(id=?)"), "\(statuses)")

            let conversations = try await plan(
                """
                SELECT id, contact_id FROM conversations
                WHERE organization_id = \(bind: organization) AND connection_id = \(bind: connection) AND contact_id IN \(ids)
                """, on: app.db)
            #expect(conversations.contains("(connection_id=? AND contact_id=?)"), "\(conversations)")

            // The inbox's list still walks its own index.
            let list = try await plan(
                """
                SELECT id FROM conversations WHERE organization_id = \(bind: organization) AND status = 'open'
                ORDER BY last_message_at DESC, id DESC LIMIT 50
                """, on: app.db)
            #expect(list.contains("conversations_list_status"), "\(list)")
        }
    }

    @Test func statisticsDescribeLargeTenants() async throws {
        try await TestApp.run(variables: ["DATABASE_URL": ""]) { app in
            let sql = app.db as! any SQLDatabase
            let rows = try await sql.raw("SELECT idx, stat FROM sqlite_stat1").all()
            var stats: [String: String] = [:]
            for row in rows { stats[try row.decode(column: "idx", as: String.self)] = try row.decode(column: "stat", as: String.self) }
            #expect(stats["messages_organization_id_sent_at"] == "1000000 100000 10")
            #expect(stats["conversations_list_status"] == "1000000 100000 10 9 8")
            // Only indexes that start with the organization.
            #expect(stats["messages_conversation_id_sent_at"] == nil)

            // Writing them again (every start) keeps one row an index.
            try await SQLitePlannerStatistics.write(on: app.db)
            let again = try await sql.raw("SELECT COUNT(*) AS n FROM sqlite_stat1").first()?.decode(column: "n", as: Int.self)
            #expect(again == rows.count)
        }
    }

    @Test func uniqueKeysEndWithOneRow() {
        #expect(SQLitePlannerStatistics.stat(columnCount: 2, unique: true) == "1000000 100000 1")
        #expect(SQLitePlannerStatistics.stat(columnCount: 1, unique: true) == "1000000 1")
        #expect(SQLitePlannerStatistics.stat(columnCount: 1, unique: false) == "1000000 100000")
    }
}
