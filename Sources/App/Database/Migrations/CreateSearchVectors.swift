import Fluent
import SQLKit

/// Faster search on PostgreSQL: each message and contact keeps its search vector in a stored
/// column (indexed with GIN) instead of an index over an expression, so the newest-first walk of
/// `InboxSearch` tests a row without computing its vector again. Both databases get the index that
/// walk follows (an organization's messages by time), and one from a contact to its conversations.
struct CreateSearchVectors: AsyncMigration {
    static let vectors = [(table: "messages", column: "body"), (table: "contacts", column: "profile_name")]

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await sql.create(index: "messages_organization_id_sent_at").on("messages").column("organization_id").column("sent_at").run()
        try await sql.create(index: "conversations_contact_id").on("conversations").column("contact_id").run()
        guard sql.dialect.name == "postgresql" else { return }
        for (table, column) in Self.vectors {
            try await sql.raw(
                """
                ALTER TABLE \(unsafeRaw: table) ADD COLUMN search_vector tsvector
                  GENERATED ALWAYS AS (to_tsvector('simple', coalesce(\(unsafeRaw: column), ''))) STORED
                """
            ).run()
            try await sql.raw("CREATE INDEX \(unsafeRaw: table)_search_vector ON \(unsafeRaw: table) USING GIN (search_vector)").run()
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: table)_search").run()
        }
        // Digits anywhere in a number (`LIKE '%…%'`) come from a trigram index. pg_trgm ships with
        // PostgreSQL and a database owner may create it (a trusted extension); where that is not
        // allowed the search still works, reading every contact.
        do {
            try await sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm").run()
            try await sql.raw("CREATE INDEX contacts_wa_id_trigrams ON contacts USING GIN (wa_id gin_trgm_ops)").run()
        } catch {
            database.logger.warning("no trigram index for phone number search: \(String(describing: error))")
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP INDEX IF EXISTS contacts_wa_id_trigrams").run()
            for (table, column) in Self.vectors {
                try await sql.raw(
                    """
                    CREATE INDEX \(unsafeRaw: table)_search ON \(unsafeRaw: table) USING GIN (to_tsvector('simple', coalesce(\(unsafeRaw: column), '')))
                    """
                ).run()
                try await sql.raw("ALTER TABLE \(unsafeRaw: table) DROP COLUMN search_vector").run()
            }
        }
        try await sql.drop(index: "messages_organization_id_sent_at").run()
        try await sql.drop(index: "conversations_contact_id").run()
    }
}
