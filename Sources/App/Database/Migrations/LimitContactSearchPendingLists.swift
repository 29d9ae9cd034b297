import Fluent
import SQLKit

/// Keeps the contact search's trigram indexes from holding megabytes of unsorted entries.
///
/// A GIN index gathers new entries in a pending list until it reaches `gin_pending_list_limit`
/// (4 MB by default) or a vacuum merges it, and every search reads that list from end to end. After
/// an import of 100,000 contacts the three name, profile name and email indexes held up to 4 MB
/// each (only autovacuum merges them, not `ANALYZE`), and a search for "Contact 12" took 50-60 ms
/// against 2.1 ms with the lists merged. At 256 kB a search reads at most 32 pages of them (3.3 ms
/// at worst); inserting 100,000 rows took 22% longer, where writing to the index directly
/// (`fastupdate = off`) took 4.5 times as long.
struct LimitContactSearchPendingLists: AsyncMigration {
    static let indexes = IndexContactSearchAndCounts.searched.map { "contacts_\($0)_trigrams" } + ["contacts_shown_phone_trigrams"]
    static let pendingListKilobytes = 256

    func prepare(on database: any Database) async throws {
        try await set("gin_pending_list_limit = \(Self.pendingListKilobytes)", database)
    }

    func revert(on database: any Database) async throws {
        try await set(nil, database)
    }

    /// Only the indexes that exist: without pg_trgm there are none (see `IndexContactSearchAndCounts`).
    private func set(_ option: String?, _ database: any Database) async throws {
        let sql = database.sql
        guard sql.dialect.name == "postgresql" else { return }
        for index in Self.indexes {
            let present = try await sql.raw("SELECT 1 AS present FROM pg_class WHERE relname = \(bind: index) AND relkind = 'i'").first()
            guard present != nil else { continue }
            let change: SQLQueryString =
                option.map { "ALTER INDEX \(ident: index) SET (\(unsafeRaw: $0))" } ?? "ALTER INDEX \(ident: index) RESET (gin_pending_list_limit)"
            try await sql.raw(change).run()
        }
    }
}
