import Fluent
import SQLKit

/// CSV imports of contacts: the uploaded file (in the object store), the mapping of its columns,
/// the checkpoint (`rows_done`, committed with each batch, so a restarted job resumes exactly
/// there) and the counts; and the rows that failed, with their reason, for the report.
struct CreateContactImports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("contact_imports")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("actor", .string)
            .field("filename", .string, .required)
            .field("object_key", .string, .required)
            .field("size", .int, .required)
            .field("encoding", .string, .required)
            .field("delimiter", .string, .required)
            .field("mapping", .string)
            .field("state", .string, .required)
            .field("job_id", .uuid)
            .field("total_rows", .int)
            .field("rows_done", .int, .required)
            .field("created_count", .int, .required)
            .field("updated_count", .int, .required)
            .field("failed_count", .int, .required)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
        try await database.sql.create(index: "contact_imports_organization").on("contact_imports")
            .column("organization_id").column("created_at").run()

        try await database.schema("contact_import_failures")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("import_id", .uuid, .required, .references("contact_imports", "id", onDelete: .cascade))
            .field("row_number", .int, .required)
            .field("reason", .string, .required)
            .unique(on: "import_id", "row_number")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contact_import_failures").delete()
        try await database.schema("contact_imports").delete()
    }
}
