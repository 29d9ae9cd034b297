import Fluent
import SQLKit

/// Tells SQLite's query planner how large a tenant is.
///
/// Without statistics SQLite assumes that an equality on an index's first column finds about ten
/// rows. For `organization_id` that is wrong by orders of magnitude, and the planner then walks an
/// organization's whole index rather than look up a few hundred rows by their own unique index:
/// a webhook batch's status lookup (`organization_id = ? AND connection_id = ? AND wamid IN (…)`)
/// scanned every message of the organization, 20 ms at 60,000 messages and growing with the
/// table, against 1.5 ms by the unique index.
///
/// So every index that starts with `organization_id` gets fixed statistics in `sqlite_stat1`, the
/// planner's documented input ("Manual Control Of Query Plans Using SQLITE_STAT Tables"),
/// describing a large tenant: 100,000 rows of an organization in a table of 1,000,000, and
/// SQLite's own default guesses for the columns after it. PostgreSQL gathers real statistics
/// itself, so this is SQLite's only.
enum SQLitePlannerStatistics {
    static let tableRows = 1_000_000
    static let rowsPerOrganization = 100_000

    /// Writes the statistics of the indexes that exist now and has the connection load them.
    static func write(on database: any Database) async throws {
        let sql = database.sql
        guard sql.engine is SQLiteEngine else { return }
        // Creates `sqlite_stat1` if it does not exist yet, without analyzing any table.
        try await sql.raw("ANALYZE sqlite_schema").run()
        let columns = try await sql.raw(
            """
            SELECT m.tbl_name AS tbl, m.name AS idx, l."unique" AS is_unique, i.seqno AS seqno, i.name AS column_name
            FROM sqlite_schema m
            JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name
            JOIN pragma_index_info(m.name) i
            WHERE m.type = 'index' AND l.partial = 0
            ORDER BY m.name, i.seqno
            """
        ).all()
        var indexes: [(table: String, index: String, unique: Bool, columns: [String])] = []
        for row in columns {
            let index = try row.decode(column: "idx", as: String.self)
            let column = try row.decode(column: "column_name", as: String?.self) ?? ""
            if indexes.last?.index == index {
                indexes[indexes.count - 1].columns.append(column)
            } else {
                indexes.append(
                    (
                        try row.decode(column: "tbl", as: String.self), index,
                        try row.decode(column: "is_unique", as: Int.self) != 0, [column]
                    ))
            }
        }
        let tenantIndexes = indexes.filter { $0.columns.first == "organization_id" }
        guard !tenantIndexes.isEmpty else { return }
        try await database.transaction { transaction in
            let sql = transaction.sql
            for index in tenantIndexes {
                try await sql.raw("DELETE FROM sqlite_stat1 WHERE tbl = \(bind: index.table) AND idx = \(bind: index.index)").run()
                try await sql.raw(
                    """
                    INSERT INTO sqlite_stat1 (tbl, idx, stat)
                    VALUES (\(bind: index.table), \(bind: index.index), \(bind: stat(columnCount: index.columns.count, unique: index.unique)))
                    """
                ).run()
            }
        }
        // Loads what is in `sqlite_stat1` into this connection's planner.
        try await sql.raw("ANALYZE sqlite_schema").run()
    }

    /// `sqlite_stat1`'s format: the table's rows, then the rows an equality on the first 1, 2, …
    /// columns finds. After `organization_id`, SQLite's own defaults (10, 9, 8, …); 1 for the full
    /// key of a unique index.
    static func stat(columnCount: Int, unique: Bool) -> String {
        var rows = [tableRows, rowsPerOrganization] + (1..<max(columnCount, 1)).map { max(10 - ($0 - 1), 1) }
        if unique { rows[rows.count - 1] = 1 }
        return rows.map(String.init).joined(separator: " ")
    }
}
