import Fluent
import SQLKit

/// Raw webhook bodies, stored before the 200 and processed by a job.
struct CreateWebhookEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("webhook_events")
            .id()
            .field("source", .string, .required)
            .field("body", .data, .required)
            .field("received_at", .datetime, .required)
            .field("state", .string, .required)
            .field("processed_at", .datetime)
            .field("error", .string)
            .create()
        try await database.sql.create(index: "webhook_events_state_received_at")
            .on("webhook_events").column("state").column("received_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("webhook_events").delete()
    }
}
