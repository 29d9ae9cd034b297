import Foundation
import Fluent
import SQLKit

/// The SQL that differs between SQLite and PostgreSQL, in one place per engine.
///
/// Feature code asks `database.sql.engine` for a named operation (a row lock, a notification, the
/// full-text query syntax) and never compares dialect names; the engine is chosen once, here, from
/// the dialect of the connection. Released migrations keep their own branches: they are never edited.
protocol SQLEngine: Sendable {
    /// Which full-text search the schema has: tsvector columns or FTS5 tables (`CreateSearchIndexes`).
    var fullTextSearch: FullTextSearch { get }

    /// Settings of a freshly opened database (SQLite's file and connection pragmas).
    func prepare(_ sql: any SQLDatabase) async throws

    /// The smaller and the larger of two SQL expressions (`LEAST`/`GREATEST`, SQLite's two-argument `MIN`/`MAX`).
    func least(_ first: String, _ second: String) -> String
    func greatest(_ first: String, _ second: String) -> String

    /// Locks one row until the end of the transaction, so two transactions changing what hangs off
    /// it run one after the other. SQLite needs none: the app's one connection serializes writes.
    func lockRow(of table: String, id: UUID, on sql: any SQLDatabase) async throws

    /// Wakes the listeners of a channel in every app process (PostgreSQL's `NOTIFY`), handing them
    /// `payload` (at most 8,000 bytes); a no-op where there is only this process, which wakes itself.
    func notify(_ channel: String, payload: String, on sql: any SQLDatabase) async throws

    /// Keeps a short read-only query on one core for the rest of the transaction: parallel workers
    /// take longer to start than such a query takes.
    func avoidParallelWorkers(on sql: any SQLDatabase) async throws

    /// After many rows of a table were written at once (a contact import): the planner's statistics
    /// brought up to date, and on PostgreSQL the new pages marked all-visible and the GIN indexes'
    /// pending entries merged, so index-only scans and searches are fast at once, not after
    /// autovacuum gets to a large shared table (which a tenant's import may never make it do).
    func tidyAfterBulkWrite(of table: String, on sql: any SQLDatabase) async throws

    /// A prefix query for the engine's full-text search: every word must start a word of the text.
    func prefixQuery(_ words: [String]) -> String
}

extension SQLEngine {
    /// Wakes the listeners of a channel with nothing to hand them but the wake-up.
    func notify(_ channel: String, on sql: any SQLDatabase) async throws {
        try await notify(channel, payload: "", on: sql)
    }
}

/// The two full-text searches the schema knows.
enum FullTextSearch: Sendable {
    /// PostgreSQL: `search_vector` columns, `to_tsquery('simple', …)`, `ts_headline`.
    case tsvector
    /// SQLite: the `messages_fts` and `contacts_fts` FTS5 tables, `MATCH`, `snippet`.
    case fts5
}

extension SQLDatabase {
    /// The engine of this connection. The one place that reads the dialect's name.
    var engine: any SQLEngine {
        switch dialect.name {
        case "postgresql": PostgreSQLEngine()
        default: SQLiteEngine()
        }
    }
}

extension Database {
    /// This database as SQLKit sees it, for SQL that is not about one organization's rows (queues,
    /// sessions, health, cross-organization jobs). Tenant rows go through `TenantScope.sql`.
    /// Both drivers the app uses are SQL databases: the one cast of the app.
    var sql: any SQLDatabase { self as! any SQLDatabase }
}
