import Fluent
import SQLKit

/// Segment counts by number prefix (`+31`) from the index alone on PostgreSQL: the live contacts'
/// numbers, which `ContactFilter` asks for as a range. The unique `(organization_id, wa_id)` index
/// has the numbers too, but not whether a contact was erased, so a count read every row's page as
/// well. SQLite keeps using the unique index.
struct IndexLivePhoneNumbers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("CREATE INDEX contacts_live_phone ON contacts (organization_id, wa_id) WHERE erased_at IS NULL").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("DROP INDEX IF EXISTS contacts_live_phone").run()
    }
}
