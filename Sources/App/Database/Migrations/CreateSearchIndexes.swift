import Fluent
import SQLKit

/// Full-text indexes for `InboxSearch`: message texts and contact names.
///
/// PostgreSQL: GIN indexes over `to_tsvector('simple', …)` (no stemming: customers write in many
/// languages, and agents type the beginnings of words).
/// SQLite: FTS5 tables that index the rows of `messages` and `contacts` by their rowid, kept in
/// step by triggers. Those rowids are SQLite's implicit ones, which only `VACUUM` renumbers: after
/// a `VACUUM`, run `INSERT INTO messages_fts(messages_fts) VALUES('rebuild')` (and the same for
/// `contacts_fts`).
struct CreateSearchIndexes: AsyncMigration {
    /// The searched text: a table and its column.
    static let indexed = [(table: "messages", column: "body"), (table: "contacts", column: "profile_name")]

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        for (table, column) in Self.indexed {
            if sql.dialect.name == "postgresql" {
                try await sql.raw(
                    """
                    CREATE INDEX \(unsafeRaw: table)_search ON \(unsafeRaw: table) USING GIN (to_tsvector('simple', coalesce(\(unsafeRaw: column), '')))
                    """
                ).run()
                continue
            }
            let fts = "\(table)_fts"
            try await sql.raw(
                """
                CREATE VIRTUAL TABLE \(unsafeRaw: fts) USING fts5(\(unsafeRaw: column), content='\(unsafeRaw: table)', content_rowid='rowid',
                  tokenize='unicode61 remove_diacritics 2')
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER \(unsafeRaw: fts)_insert AFTER INSERT ON \(unsafeRaw: table) BEGIN
                  INSERT INTO \(unsafeRaw: fts)(rowid, \(unsafeRaw: column)) VALUES (new.rowid, new.\(unsafeRaw: column));
                END
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER \(unsafeRaw: fts)_delete AFTER DELETE ON \(unsafeRaw: table) BEGIN
                  INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts), rowid, \(unsafeRaw: column)) VALUES ('delete', old.rowid, old.\(unsafeRaw: column));
                END
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER \(unsafeRaw: fts)_update AFTER UPDATE OF \(unsafeRaw: column) ON \(unsafeRaw: table) BEGIN
                  INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts), rowid, \(unsafeRaw: column)) VALUES ('delete', old.rowid, old.\(unsafeRaw: column));
                  INSERT INTO \(unsafeRaw: fts)(rowid, \(unsafeRaw: column)) VALUES (new.rowid, new.\(unsafeRaw: column));
                END
                """
            ).run()
            // Rows stored before this migration.
            try await sql.raw("INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts)) VALUES ('rebuild')").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        for (table, _) in Self.indexed {
            if sql.dialect.name == "postgresql" {
                try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: table)_search").run()
                continue
            }
            for trigger in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_fts_\(unsafeRaw: trigger)").run()
            }
            try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)_fts").run()
        }
    }
}
