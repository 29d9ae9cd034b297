import Fluent
import SQLKit

struct CreateContacts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("contacts")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("wa_id", .string)
            .field("user_id", .string)
            .field("profile_name", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "organization_id", "wa_id")
            .create()
        try await database.sql.create(index: "contacts_organization_id_user_id")
            .on("contacts").column("organization_id").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contacts").delete()
    }
}
