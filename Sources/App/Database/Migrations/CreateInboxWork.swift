import Fluent
import SQLKit

/// The shared inbox's work: who handles a conversation (assignee, team), its state (pending,
/// snoozed), tags, private notes with mentions, canned responses, agents' availability and
/// capacity, and the live event log browsers follow.
struct CreateInboxWork: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql

        try await database.schema("teams")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("auto_assign", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "name")
            .create()
        try await database.schema("team_members")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("team_id", .uuid, .required, .references("teams", "id", onDelete: .cascade))
            .field("membership_id", .uuid, .required, .references("memberships", "id", onDelete: .cascade))
            .unique(on: "team_id", "membership_id")
            .create()
        try await sql.create(index: "team_members_membership_id").on("team_members").column("membership_id").run()

        // One column per ALTER TABLE: SQLite adds only one at a time.
        let columns: [(table: String, field: DatabaseSchema.FieldDefinition)] = [
            ("memberships", .definition(name: .key("available"), dataType: .bool, constraints: [.required, .sql(.default(true))])),
            ("memberships", .definition(name: .key("capacity"), dataType: .int, constraints: [.required, .sql(.default(Membership.defaultCapacity))])),
            ("memberships", .definition(name: .key("last_assigned_at"), dataType: .datetime, constraints: [])),
            ("organizations", .definition(name: .key("agents_see_all"), dataType: .bool, constraints: [.required, .sql(.default(true))])),
            ("whatsapp_connections", .definition(name: .key("team_id"), dataType: .uuid, constraints: [.references("teams", "id", onDelete: .setNull)])),
            ("conversations", .definition(name: .key("assignee_id"), dataType: .uuid, constraints: [.references("memberships", "id", onDelete: .setNull)])),
            ("conversations", .definition(name: .key("team_id"), dataType: .uuid, constraints: [.references("teams", "id", onDelete: .setNull)])),
            ("conversations", .definition(name: .key("snoozed_until"), dataType: .datetime, constraints: [])),
            ("conversations", .definition(name: .key("waiting_since"), dataType: .datetime, constraints: [])),
        ]
        for (table, field) in columns {
            try await database.schema(table).field(field).update()
        }
        // The list's filters, each newest first (the keyset is last_message_at, id).
        try await sql.create(index: "conversations_list_status")
            .on("conversations").column("organization_id").column("status").column("last_message_at").column("id").run()
        try await sql.create(index: "conversations_list_assignee")
            .on("conversations").column("organization_id").column("assignee_id").column("status").column("last_message_at").run()
        try await sql.create(index: "conversations_list_team")
            .on("conversations").column("organization_id").column("team_id").column("status").column("last_message_at").run()
        try await sql.create(index: "conversations_snoozed_until")
            .on("conversations").column("snoozed_until").run()

        try await database.schema("tags")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "name")
            .create()
        try await database.schema("conversation_tags")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("tag_id", .uuid, .required, .references("tags", "id", onDelete: .cascade))
            .unique(on: "conversation_id", "tag_id")
            .create()
        try await sql.create(index: "conversation_tags_tag_id").on("conversation_tags").column("tag_id").run()

        try await database.schema("notes")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("author_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("author_name", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await sql.create(index: "notes_conversation_id").on("notes").column("conversation_id").column("created_at").run()
        try await database.schema("mentions")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("note_id", .uuid, .required, .references("notes", "id", onDelete: .cascade))
            .field("conversation_id", .uuid, .required, .references("conversations", "id", onDelete: .cascade))
            .field("membership_id", .uuid, .required, .references("memberships", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("seen_at", .datetime)
            .unique(on: "note_id", "membership_id")
            .create()
        try await sql.create(index: "mentions_membership_id").on("mentions").column("membership_id").column("created_at").run()

        try await database.schema("canned_responses")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("shortcut", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "shortcut")
            .create()

        try await database.schema("inbox_events")
            .field("id", .int, .identifier(auto: true))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("conversation_id", .uuid)
            .field("team_id", .uuid)
            .field("assignee_id", .uuid)
            .field("recipient_id", .uuid)
            .field("data", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await sql.create(index: "inbox_events_organization_id").on("inbox_events").column("organization_id").column("id").run()
        try await sql.create(index: "inbox_events_created_at").on("inbox_events").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["inbox_events", "canned_responses", "mentions", "notes", "conversation_tags", "tags"] {
            try await database.schema(table).delete()
        }
        for (table, column) in [
            ("conversations", "assignee_id"), ("conversations", "team_id"), ("conversations", "snoozed_until"),
            ("conversations", "waiting_since"), ("whatsapp_connections", "team_id"), ("organizations", "agents_see_all"),
            ("memberships", "available"), ("memberships", "capacity"), ("memberships", "last_assigned_at"),
        ] {
            try await database.schema(table).deleteField(FieldKey(stringLiteral: column)).update()
        }
        try await database.schema("team_members").delete()
        try await database.schema("teams").delete()
    }
}
