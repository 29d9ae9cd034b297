@testable import App
import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import Vapor

/// `TenantScope.rows(_:as:)`: the same values on both engines (on PostgreSQL read by PostgresNIO
/// directly), every bind type it encodes itself, others through SQLKit, and the scope still enforced.
@Suite struct ResultRowTests {
    private struct Organizations: ResultRow, Sendable, Equatable {
        var id: UUID
        var name: String
        var createdAt: Date
        var members: Int
        var agentsSeeAll: Bool
        var missing: String?

        init(_ columns: some RowColumns) throws {
            id = try columns.decode("id")
            name = try columns.decode("name")
            createdAt = try columns.decode("created_at")
            members = try columns.decode("members")
            agentsSeeAll = try columns.decode("agents_see_all")
            missing = try columns.decode("missing")
        }
    }

    private struct Unknown: ResultRow, Sendable {
        init(_ columns: some RowColumns) throws { _ = try columns.decode("no_such_column", as: String.self) }
    }

    @Test("a row reads the same with every bind type, an optional nil bind included; a missing column and an unscoped query throw")
    func rowsAndBinds() async throws {
        try await TestApp.run { app in
            try await app.signUp(name: "Anna de Vries", organization: "Bakkerij Anna", email: "anna@bakkerij.example")
            try await app.signUp(name: "Bram Bos", organization: "Bos & Co", email: "bram@bos.example")
            let anna = try #require(try await Organization.query(on: app.db).filter(\.$name == "Bakkerij Anna").first())
            let scope = TenantScope(organizationID: try anna.requireID(), database: app.db)
            // Without `nothing` every bind is one PostgresNIO encodes; with it the query goes through SQLKit.
            func query(name: String, nothing: UUID?? = nil) -> SQLQueryString {
                let optional: SQLQueryString = nothing.map { " AND COALESCE(\(bind: $0), o.id) = o.id" } ?? ""
                return """
                    SELECT o.id, o.name, o.created_at, o.agents_see_all, NULL AS missing,
                           (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS members
                    FROM organizations o
                    WHERE o.id = \(bind: scope.organizationID) AND o.name = \(bind: name) AND o.created_at < \(bind: anna.createdAt.addingTimeInterval(60))
                      AND \(bind: 2) > 1 AND \(bind: true) AND \(bind: 2.5) > 1.5 \(optional)
                    """
            }
            let rows = try await scope.rows(query(name: "Bakkerij Anna"), as: Organizations.self)
            #expect(try await scope.rows(query(name: "Bakkerij Anna", nothing: .some(nil)), as: Organizations.self) == rows)
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(row.id == anna.id && row.name == "Bakkerij Anna" && row.members == 1 && row.agentsSeeAll && row.missing == nil)
            #expect(abs(row.createdAt.timeIntervalSince(anna.createdAt)) < 0.001)
            // A bind is a value, never SQL.
            #expect(try await scope.rows(query(name: "' OR 1=1 --"), as: Organizations.self).isEmpty)

            await #expect(throws: (any Error).self) {
                try await scope.rows("SELECT id FROM organizations WHERE id = \(bind: scope.organizationID)", as: Unknown.self)
            }
            await #expect(throws: UnscopedQuery.self) { try await scope.rows("SELECT id, name FROM organizations", as: Organizations.self) }
        }
    }

    @Test("the binds PostgresNIO encodes itself: uuid, text, timestamptz, int8, bool, float8; any other leaves the query to SQLKit")
    func bindTypes() {
        let known: [any Encodable & Sendable] = [UUID(), "text", Date(), 42, true, 2.5]
        #expect(PostgresBindings(sqlKitBinds: known)?.count == 6)
        #expect(PostgresBindings(sqlKitBinds: [UUID(), UUID?.none]) == nil)
        #expect(PostgresBindings(sqlKitBinds: [[UUID()]]) == nil)
        #expect(PostgresBindings(sqlKitBinds: [Int32(1)]) == nil)
    }
}
