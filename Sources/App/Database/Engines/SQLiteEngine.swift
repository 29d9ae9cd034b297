import Foundation
import SQLKit

struct SQLiteEngine: SQLEngine {
    var fullTextSearch: FullTextSearch { .fts5 }

    /// Settings of the database file (WAL) and of the app's one SQLite connection.
    func prepare(_ sql: any SQLDatabase) async throws {
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("PRAGMA synchronous=NORMAL").run()
        try await sql.raw("PRAGMA busy_timeout=5000").run()
        // The whole app shares one connection: give it a page cache that holds the working set
        // (64 MiB) and read the file through a memory map, instead of a pread per page.
        try await sql.raw("PRAGMA cache_size=-65536").run()
        try await sql.raw("PRAGMA mmap_size=268435456").run()
    }

    /// SQLite's `MIN` and `MAX` with two arguments are scalar functions.
    func least(_ first: String, _ second: String) -> String { "MIN(\(first), \(second))" }
    func greatest(_ first: String, _ second: String) -> String { "MAX(\(first), \(second))" }

    /// Writes are serialized by the app's single SQLite connection (`SingleConnectionSQLite`).
    func lockRow(of table: String, id: UUID, on sql: any SQLDatabase) async throws {}

    /// One process: the caller's wake-up signal is all there is.
    func notify(_ channel: String, payload: String, on sql: any SQLDatabase) async throws {}

    func avoidParallelWorkers(on sql: any SQLDatabase) async throws {}

    /// SQLite's planner works from fixed statistics (`SQLitePlannerStatistics`) and has no
    /// visibility map: nothing to tidy.
    func tidyAfterBulkWrite(of table: String, on sql: any SQLDatabase) async throws {}

    /// FTS5 syntax: `"word"*` separated by spaces (an implicit AND).
    func prefixQuery(_ words: [String]) -> String {
        words.map { "\"\($0)\"*" }.joined(separator: " ")
    }
}
