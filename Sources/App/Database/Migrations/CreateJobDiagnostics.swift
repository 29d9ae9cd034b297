import Fluent

/// The table the diagnostics job writes to: one row per completed run, for chaos tests and operators.
struct CreateJobDiagnostics: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("job_diagnostics")
            .field("id", .uuid, .identifier(auto: false))
            .field("job_id", .uuid, .required)
            .field("attempt", .int, .required)
            .field("label", .string, .required)
            .field("recorded_at", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("job_diagnostics").delete()
    }
}
