import Fluent
import SQLKit

/// Drip sequences (`DripSequence`): their steps, who is enrolled where (`DripEnrolment`, one row per
/// sequence and contact) and one delivery row per enrolment and step, the unit of "at most once".
struct CreateDrips: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("drip_sequences")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("connection_id", .uuid, .required, .references("whatsapp_connections", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("enrol_segment_id", .uuid)
            .field("enrol_tag_id", .uuid)
            .field("enrol_on_tag_added", .bool, .required)
            .field("exit_on_reply", .bool, .required)
            .field("exit_tag_id", .uuid)
            .field("window_days", .int, .required)
            .field("window_start_minute", .int)
            .field("window_end_minute", .int)
            .field("tags_seen_until", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("activated_at", .datetime)
            .create()
        try await database.sql.create(index: "drip_sequences_organization_created").on("drip_sequences")
            .column("organization_id").column("created_at").run()

        try await database.schema("drip_steps")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("sequence_id", .uuid, .required, .references("drip_sequences", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("delay_minutes", .int, .required)
            .field("kind", .string, .required)
            .field("template_name", .string)
            .field("template_language", .string)
            .field("template_category", .string)
            .field("message", .string)
            .field("text", .string)
            .unique(on: "sequence_id", "position")
            .create()

        try await database.schema("drip_enrolments")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("sequence_id", .uuid, .required, .references("drip_sequences", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("exit_reason", .string)
            .field("next_position", .int, .required)
            .field("next_at", .datetime, .required)
            .field("enrolled_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "sequence_id", "contact_id")
            .create()
        // The engine's sweep: the active enrolments that are due, earliest first.
        try await database.sql.create(index: "drip_enrolments_due").on("drip_enrolments")
            .column("status").column("next_at").run()

        try await database.schema("drip_deliveries")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("enrolment_id", .uuid, .required, .references("drip_enrolments", "id", onDelete: .cascade))
            .field("sequence_id", .uuid, .required)
            .field("step_id", .uuid, .required)
            .field("message_id", .uuid)
            .field("skip_reason", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "enrolment_id", "step_id")
            .create()
        try await database.sql.create(index: "drip_deliveries_sequence_step").on("drip_deliveries")
            .column("sequence_id").column("step_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["drip_deliveries", "drip_enrolments", "drip_steps", "drip_sequences"] {
            try await database.schema(table).delete()
        }
    }
}
