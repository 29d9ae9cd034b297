@testable import App
import Fluent
import Foundation
import SQLKit
import Testing

/// Webhook ingest finds a batch's contacts by their unique index, on both databases: not by the
/// trigram index that serves phone number search (PostgreSQL rated that one cheap for `wa_id IN
/// (…)`, and it cost 250 times more).
@Suite struct IngestQueryPlanTests {
    @Test func contactsOfABatchAreFoundByTheirUniqueIndexAndSearchKeepsItsTrigrams() async throws {
        try await WhatsAppHarness.run { harness in
            let sql = harness.db as! any SQLDatabase
            let organization = harness.scope.organizationID
            // Enough contacts that the organization alone does not narrow them down.
            let numbers = (0..<2000).map { "3161\(String(format: "%07d", $0))" }
            let rows = numbers.map { number -> any SQLExpression in
                SQLGroupExpression([SQLBind(UUID()), SQLBind(organization), SQLBind(number), SQLBind(Date()), SQLBind(Date())])
            }
            try await sql.raw("INSERT INTO contacts (id, organization_id, wa_id, created_at, updated_at) VALUES \(SQLList(rows))").run()
            let lookup: SQLQueryString = """
                SELECT id, wa_id, user_id, profile_name FROM contacts
                WHERE organization_id = \(bind: organization) AND wa_id IN \(SQLGroupExpression(numbers.prefix(150).map { SQLBind($0) }))
                ORDER BY created_at
                """
            let search: SQLQueryString = "SELECT id FROM contacts c WHERE ('+' || c.wa_id) LIKE \(bind: "%0000123%")"

            if sql.dialect.name == "postgresql" {
                // With sequential scans ruled out, the planner has to choose between the indexes.
                let (lookupPlan, searchPlan) = try await harness.db.transaction { transaction in
                    let sql = transaction as! any SQLDatabase
                    try await sql.raw("ANALYZE contacts").run()
                    try await sql.raw("SET LOCAL enable_seqscan = off").run()
                    return (try await Self.plan(lookup, on: sql), try await Self.plan(search, on: sql))
                }
                #expect(!lookupPlan.contains("trigrams"), "\(lookupPlan)")
                #expect(searchPlan.contains("contacts_shown_phone_trigrams"), "\(searchPlan)")
            } else {
                let lookupPlan = try await Self.plan(lookup, on: sql)
                #expect(lookupPlan.contains("(organization_id=? AND wa_id=?)"), "\(lookupPlan)")
            }
            // The search finds the number by digits in its middle.
            #expect(try await sql.raw(search).all().count == 1)
        }
    }

    static func plan(_ query: SQLQueryString, on sql: any SQLDatabase) async throws -> String {
        if sql.dialect.name == "postgresql" {
            return try await sql.raw("EXPLAIN " + query).all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n")
        }
        return try await sql.raw("EXPLAIN QUERY PLAN " + query).all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
    }
}
