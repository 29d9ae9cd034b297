import Foundation
import SQLKit

struct PostgreSQLEngine: SQLEngine {
    var fullTextSearch: FullTextSearch { .tsvector }

    func prepare(_ sql: any SQLDatabase) async throws {}

    func least(_ first: String, _ second: String) -> String { "LEAST(\(first), \(second))" }
    func greatest(_ first: String, _ second: String) -> String { "GREATEST(\(first), \(second))" }

    func lockRow(of table: String, id: UUID, on sql: any SQLDatabase) async throws {
        try await sql.raw("SELECT id FROM \(ident: table) WHERE id = \(bind: id) FOR UPDATE").run()
    }

    func notify(_ channel: String, payload: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
    }

    func avoidParallelWorkers(on sql: any SQLDatabase) async throws {
        try await sql.raw("SET LOCAL max_parallel_workers_per_gather = 0").run()
    }

    /// `VACUUM` must run outside a transaction: call it on the database, not in one.
    func tidyAfterBulkWrite(of table: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("VACUUM (ANALYZE) \(ident: table)").run()
    }

    /// `to_tsquery` syntax: `'word':*` joined by `&`.
    func prefixQuery(_ words: [String]) -> String {
        words.map { "'\($0)':*" }.joined(separator: " & ")
    }
}
