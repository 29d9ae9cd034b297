import FluentKit
import SQLKit

/// The job queue's tables. Times are BIGINT microseconds since 1970. The app lists it among its
/// migrations; `jobs.organization_id` references the app's `organizations` table, which must exist first.
///
/// Released: never edit it, add a new migration instead.
public struct CreateJobs: AsyncMigration {
    /// The name it was recorded under when it lived in the App module: databases that ran it then do not run it again.
    public var name: String { "App.CreateJobs" }

    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("queue", .string, .required)
            .field("payload", .string, .required)
            .field("priority", .int, .required)
            .field("state", .string, .required)
            .field("run_at", .int64, .required)
            .field("due_at", .int64, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("unique_key", .string)
            .field("organization_id", .uuid, .references("organizations", "id", onDelete: .cascade))
            .field("worker_id", .string)
            .field("lease_expires_at", .int64)
            .field("created_at", .int64, .required)
            .field("started_at", .int64)
            .field("finished_at", .int64)
            .field("progress", .double, .required)
            .field("progress_message", .string)
            .field("last_error", .string)
            .create()
        let sql = database as! any SQLDatabase
        // What workers claim: due jobs of a queue, earliest deadline first.
        try await sql.raw("CREATE INDEX jobs_claim ON jobs (queue, due_at) WHERE state = 'queued'").run()
        // What the lease keeper scans.
        try await sql.raw("CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE state = 'running'").run()
        // One pending job per unique key.
        try await sql.raw("CREATE UNIQUE INDEX jobs_unique_pending ON jobs (unique_key) WHERE state IN ('queued', 'running')").run()
        try await sql.raw("CREATE INDEX jobs_finished ON jobs (state, finished_at)").run()
        try await sql.raw("CREATE INDEX jobs_organization ON jobs (organization_id)").run()

        try await database.schema("job_attempts")
            .field("id", .uuid, .identifier(auto: false))
            .field("job_id", .uuid, .required)
            .field("attempt", .int, .required)
            .field("worker_id", .string)
            .field("started_at", .int64)
            .field("finished_at", .int64, .required)
            .field("error", .string, .required)
            .create()
        try await sql.create(index: "job_attempts_job_id").on("job_attempts").column("job_id").run()

        try await database.schema("job_schedules")
            .field("name", .string, .identifier(auto: false))
            .field("cron", .string, .required)
            .field("last_fired_at", .int64, .required)
            .create()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("job_schedules").delete()
        try await database.schema("job_attempts").delete()
        try await database.schema("jobs").delete()
    }
}
