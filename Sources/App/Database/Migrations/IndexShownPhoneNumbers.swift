import Fluent
import SQLKit

/// Moves the trigram index for phone number search from `wa_id` to the number as shown,
/// `'+' || wa_id` (what `InboxSearch` matches digits against).
///
/// On `wa_id` itself PostgreSQL also used the trigram index for the plain lookups of webhook
/// ingest (`wa_id IN (…)`, a few hundred numbers a batch): its estimate is cheap, the real cost
/// is not (53 ms against 0.2 ms by the unique index for 150 numbers among 1,000 contacts).
/// An index on an expression serves only queries written with that expression.
struct IndexShownPhoneNumbers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await replace("contacts_wa_id_trigrams", with: "contacts_shown_phone_trigrams", on: "('+' || wa_id)", database)
    }

    func revert(on database: any Database) async throws {
        try await replace("contacts_shown_phone_trigrams", with: "contacts_wa_id_trigrams", on: "wa_id", database)
    }

    /// As in `CreateSearchVectors`: without pg_trgm the search still works, reading every contact.
    private func replace(_ old: String, with new: String, on expression: String, _ database: any Database) async throws {
        let sql = database.sql
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("DROP INDEX IF EXISTS \(ident: old)").run()
        do {
            try await sql.raw("CREATE INDEX \(ident: new) ON contacts USING GIN (\(unsafeRaw: expression) gin_trgm_ops)").run()
        } catch {
            database.logger.warning("no trigram index for phone number search: \(String(describing: error))")
        }
    }
}
