import Fluent
import SQLKit

/// Attempt counters (`Throttle`) replace the log of sign-in failures: one row per key and window,
/// incremented atomically, so parallel attempts cannot all pass the check before any is recorded.
struct CreateThrottleCounters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("throttle_counters")
            .field("bucket", .string, .identifier(auto: false))
            .field("window_started_at", .int64, .required)
            .field("attempts", .int64, .required)
            .create()
        try await database.sql.create(index: "throttle_counters_window_started_at")
            .on("throttle_counters").column("window_started_at").run()
        try await database.schema("login_failures").delete()
    }

    func revert(on database: any Database) async throws {
        try await CreateLoginFailures().prepare(on: database)
        try await database.schema("throttle_counters").delete()
    }
}
