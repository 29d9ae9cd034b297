import Fluent
import SQLKit

/// Contacts become profiles a business keeps: a name and email of its own, marketing consent with
/// its source and time, the last inbound message, typed custom fields, tags, notes and a history
/// of every change. Organizations get a default country for phone numbers typed without `+`.
struct CreateContactProfiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        let columns: [(String, DatabaseSchema.DataType, [DatabaseSchema.FieldConstraint])] = [
            ("name", .string, []), ("email", .string, []),
            ("marketing_status", .string, [.required, .sql(.default("unknown"))]),
            ("marketing_source", .string, []), ("marketing_changed_at", .datetime, []),
            ("last_inbound_at", .datetime, []), ("last_inbound_connection_id", .uuid, []),
            ("erased_at", .datetime, []),
        ]
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for (name, type, constraints) in columns {
            try await database.schema("contacts")
                .field(.definition(name: .key(.string(name)), dataType: type, constraints: constraints)).update()
        }
        try await database.sql.create(index: "contacts_organization_created").on("contacts")
            .column("organization_id").column("created_at").column("id").run()
        try await database.sql.create(index: "contacts_organization_last_inbound").on("contacts")
            .column("organization_id").column("last_inbound_at").run()
        try await database.sql.create(index: "contacts_organization_marketing").on("contacts")
            .column("organization_id").column("marketing_status").run()

        try await database.schema("organizations")
            .field("default_country", .string, .required, .sql(.default("NL"))).update()
        try await database.schema("organizations").field("opt_out_keywords", .string).update()
        try await database.schema("organizations").field("opt_in_keywords", .string).update()

        try await database.schema("contact_field_definitions")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("key", .string, .required)
            .field("label", .string, .required)
            .field("type", .string, .required)
            .field("choices", .string)
            .field("position", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "key")
            .create()

        try await database.schema("contact_field_values")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("field_id", .uuid, .required, .references("contact_field_definitions", "id", onDelete: .cascade))
            .field("text_value", .string)
            .field("number_value", .double)
            .field("date_value", .string)
            .field("bool_value", .bool)
            .unique(on: "contact_id", "field_id")
            .create()
        for (name, column) in [("text", "text_value"), ("number", "number_value"), ("date", "date_value"), ("bool", "bool_value")] {
            try await database.sql.create(index: "contact_field_values_\(name)").on("contact_field_values")
                .column("organization_id").column("field_id").column(column).run()
        }

        try await database.schema("contact_tags")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("tag_id", .uuid, .required, .references("tags", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "contact_id", "tag_id")
            .create()
        try await database.sql.create(index: "contact_tags_tag").on("contact_tags")
            .column("organization_id").column("tag_id").run()

        try await database.schema("contact_events")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("detail", .string)
            .field("actor", .string)
            .field("created_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "contact_events_contact").on("contact_events")
            .column("organization_id").column("contact_id").column("created_at").run()

        try await database.schema("contact_notes")
            .field("id", .uuid, .identifier(auto: false))
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("author_id", .uuid)
            .field("author_name", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "contact_notes_contact").on("contact_notes")
            .column("organization_id").column("contact_id").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["contact_notes", "contact_events", "contact_tags", "contact_field_values", "contact_field_definitions"] {
            try await database.schema(table).delete()
        }
        for field in ["opt_in_keywords", "opt_out_keywords", "default_country"] {
            try await database.schema("organizations").deleteField(.string(field)).update()
        }
        for index in ["contacts_organization_created", "contacts_organization_last_inbound", "contacts_organization_marketing"] {
            try await database.sql.drop(index: index).run()
        }
        for field in [
            "erased_at", "last_inbound_connection_id", "last_inbound_at", "marketing_changed_at", "marketing_source",
            "marketing_status", "email", "name",
        ] {
            try await database.schema("contacts").deleteField(.string(field)).update()
        }
    }
}
