import Fluent
import SQLKit

struct CreateLoginFailures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("login_failures")
            .id()
            .field("key", .string, .required)
            .field("occurred_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "login_failures_key_occurred_at")
            .on("login_failures").column("key").column("occurred_at").run()
        try await database.sql.create(index: "login_failures_occurred_at")
            .on("login_failures").column("occurred_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("login_failures").delete()
    }
}
