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
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX messages_body_search ON messages USING GIN (to_tsvector('simple', coalesce(body, '')))").run()
            try await sql.raw("CREATE INDEX contacts_name_search ON contacts USING GIN (to_tsvector('simple', coalesce(profile_name, '')))").run()
            return
        }
        for (table, column) in [("messages", "body"), ("contacts", "profile_name")] {
            let fts = "\(table)_fts"
            try await sql.raw("""
                CREATE VIRTUAL TABLE \(unsafeRaw: fts) USING fts5(\(unsafeRaw: column), content='\(unsafeRaw: table)', content_rowid='rowid',
                  tokenize='unicode61 remove_diacritics 2')
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: fts)_insert AFTER INSERT ON \(unsafeRaw: table) BEGIN
                  INSERT INTO \(unsafeRaw: fts)(rowid, \(unsafeRaw: column)) VALUES (new.rowid, new.\(unsafeRaw: column));
                END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: fts)_delete AFTER DELETE ON \(unsafeRaw: table) BEGIN
                  INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts), rowid, \(unsafeRaw: column)) VALUES ('delete', old.rowid, old.\(unsafeRaw: column));
                END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: fts)_update AFTER UPDATE OF \(unsafeRaw: column) ON \(unsafeRaw: table) BEGIN
                  INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts), rowid, \(unsafeRaw: column)) VALUES ('delete', old.rowid, old.\(unsafeRaw: column));
                  INSERT INTO \(unsafeRaw: fts)(rowid, \(unsafeRaw: column)) VALUES (new.rowid, new.\(unsafeRaw: column));
                END
                """).run()
            // Rows stored before this migration.
            try await sql.raw("INSERT INTO \(unsafeRaw: fts)(\(unsafeRaw: fts)) VALUES ('rebuild')").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP INDEX IF EXISTS messages_body_search").run()
            try await sql.raw("DROP INDEX IF EXISTS contacts_name_search").run()
            return
        }
        for table in ["messages", "contacts"] {
            for trigger in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_fts_\(unsafeRaw: trigger)").run()
            }
            try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)_fts").run()
        }
    }
}
