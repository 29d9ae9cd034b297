import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit

/// A value made from one row of a query's result (`TenantScope.rows(_:as:)`), its columns read by
/// name as the types written where they are read.
///
/// On PostgreSQL that lets PostgresNIO decode each column with code specialized for its type.
/// SQLKit's rows (`SQLRow.decode(column:as:)`) go through PostgresKit's bridge for any `Decodable`,
/// with a dynamic conformance check, a coding path and unspecialized generic code per column: on
/// the inbox list page that was a seventh of the server's time (docs/benchmarks.md, section gains).
/// SQLite rows are read through SQLKit as before.
protocol ResultRow {
    init(_ columns: some RowColumns) throws
}

/// The columns of one result row.
protocol RowColumns {
    func decode<T: PostgresDecodable & Decodable>(_ column: String, as type: T.Type) throws -> T
}

extension RowColumns {
    func decode<T: PostgresDecodable & Decodable>(_ column: String) throws -> T {
        try decode(column, as: T.self)
    }
}

/// A row PostgresNIO received.
struct PostgresRowColumns: RowColumns {
    struct MissingColumn: Error, CustomStringConvertible {
        let name: String
        var description: String { "the query's result has no column \(name)" }
    }

    let row: PostgresRandomAccessRow

    func decode<T: PostgresDecodable & Decodable>(_ column: String, as type: T.Type) throws -> T {
        guard row.contains(column) else { throw MissingColumn(name: column) }
        return try row[column].decode(T.self)
    }
}

/// A row read through SQLKit (SQLite).
struct SQLRowColumns: RowColumns {
    let row: any SQLRow

    func decode<T: PostgresDecodable & Decodable>(_ column: String, as type: T.Type) throws -> T {
        try row.decode(column: column, as: T.self)
    }
}

extension PostgresBindings {
    /// The binds of a serialized SQLKit query when every one is of a type PostgresNIO encodes as
    /// PostgresKit would (uuid, text, timestamptz, int8, bool, float8); otherwise nil, and the query
    /// goes through SQLKit.
    init?(sqlKitBinds binds: [any Encodable & Sendable]) {
        self.init(capacity: binds.count)
        for bind in binds {
            switch bind {
            case let value as UUID: append(value)
            case let value as String: append(value)
            case let value as Date: append(value)
            case let value as Int: append(value)
            case let value as Bool: append(value)
            case let value as Double: append(value)
            default: return nil
            }
        }
    }
}

extension TenantScope {
    /// The rows of a raw SQL query over tenant tables, each made into `T`. Like `sql(_:)`, the
    /// query must bind this scope's organization.
    func rows<T: ResultRow & Sendable>(_ query: SQLQueryString, as type: T.Type = T.self) async throws -> [T] {
        let serialized = try serializedInScope(query)
        if let postgres = database as? any PostgresDatabase, let bindings = PostgresBindings(sqlKitBinds: serialized.binds) {
            let statement = PostgresQuery(unsafeSQL: serialized.sql, binds: bindings)
            let logger = database.logger
            return try await postgres.withConnection { connection in
                connection.query(statement, logger: logger).flatMapThrowing { result in
                    try result.rows.map { try T(PostgresRowColumns(row: $0.makeRandomAccess())) }
                }
            }.get()
        }
        return try await database.sql.raw(query).all().map { try T(SQLRowColumns(row: $0)) }
    }
}
