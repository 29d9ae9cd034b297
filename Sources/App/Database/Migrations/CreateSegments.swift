import Fluent
import SQLKit

/// Saved contact filters (`Segment`): a name unique in the organization and the `ContactFilter` as JSON.
/// Also an index for the segment condition on the business number a contact last wrote to.
struct CreateSegments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("segments")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("filter", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "organization_id", "name")
            .create()
        try await database.sql.create(index: "contacts_organization_last_inbound_connection").on("contacts")
            .column("organization_id").column("last_inbound_connection_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "contacts_organization_last_inbound_connection").run()
        try await database.schema("segments").delete()
    }
}
