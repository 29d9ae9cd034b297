import Fluent
import FluentPostgresDriver
import SQLKit

/// A query so frequent that planning it on every run shows in the profile: the session every
/// signed-in request reads (docs/benchmarks.md, section gains). On PostgreSQL it runs as a named
/// prepared statement, parsed and planned once per connection; SQLite runs its text each time.
///
/// The text (`sql`) numbers its parameters `$1`, `$2`, … in the order of `parameters`, all text.
protocol PlannedOnceQuery: PostgresPreparedStatement where Row == PostgresRow {
    var parameters: [String] { get }
}

extension PlannedOnceQuery {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters { bindings.append(parameter) }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// The rows of the query on this database.
    func rows(on database: any Database) async throws -> [any SQLRow] {
        if let postgres = database as? any PostgresDatabase {
            return try await postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.execute(self, logger: database.logger).reduce(into: [any SQLRow]()) { $0.append($1.sql()) }
                }
            }.get()
        }
        return try await database.sql.raw(sqlWithBinds).all()
    }

    /// The text for SQLKit, each `$n` a bind of the n-th parameter (SQLite's `?n`).
    var sqlWithBinds: SQLQueryString {
        var query = SQLQueryString("")
        var text = Substring(Self.sql)
        while let dollar = text.firstIndex(of: "$") {
            let digits = text[text.index(after: dollar)...].prefix(while: \.isNumber)
            guard let number = Int(digits), parameters.indices.contains(number - 1) else {
                preconditionFailure("\(Self.self): `$\(digits)` names no parameter")
            }
            query.appendInterpolation(unsafeRaw: String(text[..<dollar]))
            query.appendInterpolation(bind: parameters[number - 1])
            text = text[digits.endIndex...]
        }
        query.appendInterpolation(unsafeRaw: String(text))
        return query
    }
}
