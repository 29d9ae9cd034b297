@testable import App
import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing

/// `PlannedOnceQuery`: the same rows on both engines, and on PostgreSQL a statement the connection keeps.
@Suite struct PlannedOnceQueryTests {
    private struct NamesLike: PlannedOnceQuery {
        static let sql = "SELECT name FROM users WHERE name LIKE $1 OR email = $2 OR name = $1 ORDER BY name"
        let pattern: String, email: String
        var parameters: [String] { [pattern, email] }
    }

    @Test("each $n is a bind of the n-th parameter, a repeated one included, and the rows come back")
    func bindsAndRows() async throws {
        try await TestApp.run { app in
            try await app.signUp(name: "Anna de Vries", organization: "Bakkerij Anna", email: "anna@bakkerij.example")
            try await app.signUp(name: "Bram Bos", organization: "Bos & Co", email: "bram@bos.example")
            try await app.signUp(name: "Cor Anders", organization: "Anders", email: "cor@anders.example")

            let rows = try await NamesLike(pattern: "% de %", email: "bram@bos.example").rows(on: app.db)
            #expect(try rows.map { try $0.decode(column: "name", as: String.self) } == ["Anna de Vries", "Bram Bos"])
            // A parameter is a value, never SQL.
            #expect(try await NamesLike(pattern: "' OR 1=1 --", email: "x").rows(on: app.db).isEmpty)

            let text = NamesLike(pattern: "p", email: "e").sqlWithBinds
            let serialized = app.db.sql.serialize(text)
            #expect(serialized.binds.compactMap { $0 as? String } == ["p", "e", "p"], "a bind per $n, in the order of the text")
        }
    }

    @Test("the session query reads the same on one connection again and again; on PostgreSQL the connection keeps it prepared")
    func preparedOnPostgreSQL() async throws {
        try await TestApp.run { app in
            try await app.signUp(name: "Anna de Vries", organization: "Bakkerij Anna", email: "anna@bakkerij.example")
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "anna@bakkerij.example").first())
            let names = try await app.db.withConnection { connection in
                let store = SessionStore(database: connection, context: app.app.context)
                let (token, _) = try await store.start(userID: user.requireID(), organizationID: nil, userAgent: nil)
                for _ in 0..<3 {
                    let resolved = try #require(try await store.resolve(token: token))
                    #expect(resolved.user.id == user.id && resolved.memberships.map(\.organization.name) == ["Bakkerij Anna"])
                }
                guard TestDatabase.postgresURL != nil else { return [String]() }
                return try await connection.sql.raw("SELECT name FROM pg_prepared_statements").all()
                    .map { try $0.decode(column: "name", as: String.self) }
            }
            if TestDatabase.postgresURL != nil {
                #expect(names.filter { $0.hasSuffix("SessionRows") }.count == 1, "prepared once, run three times: \(names)")
            }
        }
    }
}
