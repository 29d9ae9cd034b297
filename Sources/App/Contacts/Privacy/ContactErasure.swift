import Fluent
import Foundation
import Jobs
import ObjectStore
import SQLKit
import Vapor

/// Erases a contact on request (GDPR art. 17): every message with its media, the conversations with
/// their notes, tags, mentions and inbox events, the contact's notes, field values, tags and history,
/// and the raw webhook bodies that carried the number; the contact row stays as an anonymous stub
/// (`erased_at` set, no name, number, email or ids) with one `erased` history line as the audit line.
///
/// Every step is idempotent and commits in batches, media objects before their rows, so a run that
/// stops midway (crash, restart, deploy) is finished by the next attempt without touching any other
/// contact. The stub is written last: until then the number is still known to find what is left.
enum ContactErasure {
    /// A test seam: the batch size, and a failure after this many message batches (once).
    struct Tuning: Sendable {
        var batchSize = 200
        var failAfterBatches: Int? = nil
    }

    struct SimulatedCrash: Error, CustomStringConvertible {
        var description: String { "simulated crash midway through an erasure" }
    }

    /// Runs (or finishes) the erasure of one contact of `scope`'s organization.
    static func erase(
        contactID: UUID, actor: String?, at now: Date, in scope: TenantScope, media: any ObjectStore, tuning: Tuning = .init(),
        progress: @Sendable (Double, String) async throws -> Void = { _, _ in }
    ) async throws {
        guard let contact = try await scope.find(Contact.self, contactID) else { return }
        let sql = scope.database.sql
        let conversations: SQLQueryString =
            "SELECT id FROM conversations WHERE organization_id = \(bind: scope.organizationID) AND contact_id = \(bind: contactID)"

        // 1. Messages in batches: media objects first, then the rows, each batch committed.
        let total =
            try await scope.sql { organization in
                "SELECT COUNT(*) AS n FROM messages WHERE organization_id = \(bind: organization) AND conversation_id IN (\(conversations))"
            }.first()?.decode(column: "n", as: Int.self) ?? 0
        var done = 0
        var batches = 0
        while true {
            let rows = try await scope.sql { organization in
                """
                SELECT id, media_object_key FROM messages
                WHERE organization_id = \(bind: organization) AND conversation_id IN (\(conversations))
                ORDER BY id LIMIT \(bind: tuning.batchSize)
                """
            }.all()
            if rows.isEmpty { break }
            var ids: [UUID] = []
            for row in rows {
                let id = try row.decode(column: "id", as: UUID.self)
                ids.append(id)
                // Received media lives under its message's key; a sent file under the key of its upload.
                try await media.delete(MediaKeys.key(organizationID: scope.organizationID, messageID: id))
                if let key = try row.decode(column: "media_object_key", as: String?.self) { try await media.delete(key) }
            }
            let batch = ids
            try await scope.transaction { scope in
                try await scope.sql { organization in
                    "DELETE FROM messages WHERE organization_id = \(bind: organization) AND id IN (\(SQLList(batch.map { SQLBind($0) })))"
                }.run()
            }
            done += ids.count
            batches += 1
            try await progress(0.8 * Double(done) / Double(max(total, done, 1)), "messages: \(done) of \(max(total, done))")
            if let failAfter = tuning.failAfterBatches, batches == failAfter { throw SimulatedCrash() }
        }

        // 2. What hangs on the conversations, then the conversations, then the contact's own rows.
        try await scope.transaction { scope in
            for table in ["mentions", "notes", "conversation_tags", "inbox_events"] {
                try await scope.sql { organization in
                    "DELETE FROM \(ident: table) WHERE organization_id = \(bind: organization) AND conversation_id IN (\(conversations))"
                }.run()
            }
            try await scope.sql { organization in
                "DELETE FROM conversations WHERE organization_id = \(bind: organization) AND contact_id = \(bind: contactID)"
            }.run()
            // Campaign recipients stay for the campaigns' numbers, without the number, the message and its WhatsApp id
            // (which encodes the number); one still waiting is not sent.
            try await scope.sql { organization in
                """
                UPDATE campaign_recipients SET wa_id = NULL, draft = NULL, wamid = NULL,
                  reason = CASE WHEN status = 'pending' THEN \(bind: CampaignRecipient.SkipReason.erased.rawValue) ELSE reason END,
                  status = CASE WHEN status = 'pending' THEN 'skipped' ELSE status END
                WHERE organization_id = \(bind: organization) AND contact_id = \(bind: contactID)
                """
            }.run()
            for table in ["contact_notes", "contact_field_values", "contact_tags"] {
                try await scope.sql { organization in
                    "DELETE FROM \(ident: table) WHERE organization_id = \(bind: organization) AND contact_id = \(bind: contactID)"
                }.run()
            }
        }
        try await progress(0.85, "conversations and profile data removed")

        // 3. Raw webhook bodies (kept for the operator) that carried the number to one of this organization's numbers.
        if let waID = contact.waID, !waID.isEmpty {
            let postgres = sql.dialect.name == "postgresql"
            func contains(_ needle: SQLQueryString) -> SQLQueryString {
                postgres ? "position(convert_to(\(needle), 'UTF8') in w.body) > 0" : "instr(w.body, CAST(\(needle) AS BLOB)) > 0"
            }
            let number: SQLQueryString = "\(bind: waID)"
            let connectionNumber: SQLQueryString = "c.phone_number_id"
            try await sql.raw(
                """
                DELETE FROM webhook_events WHERE id IN (SELECT w.id FROM webhook_events w WHERE w.state <> 'pending' AND \(contains(number))
                  AND EXISTS (SELECT 1 FROM whatsapp_connections c WHERE c.organization_id = \(bind: scope.organizationID) AND \(contains(connectionNumber))))
                """
            ).run()
            // The send rate limiter's bucket for this customer on each business number (`SendRateLimiter.Bucket.pair`).
            try await sql.raw(
                """
                DELETE FROM send_rate_buckets WHERE bucket IN (SELECT 'pair:' || phone_number_id || ':' || \(bind: waID)
                  FROM whatsapp_connections WHERE organization_id = \(bind: scope.organizationID))
                """
            ).run()
        }
        try await progress(0.9, "webhook records and rate buckets removed")

        // 4. The stub and the audit line, together.
        try await scope.transaction { scope in
            try await scope.sql { organization in
                """
                UPDATE contacts SET name = NULL, profile_name = NULL, email = NULL, wa_id = NULL, user_id = NULL,
                  marketing_status = 'unknown', marketing_source = NULL, marketing_changed_at = NULL,
                  erased_at = COALESCE(erased_at, \(bind: now)), updated_at = \(bind: now)
                WHERE organization_id = \(bind: organization) AND id = \(bind: contactID)
                """
            }.run()
            try await scope.sql { organization in
                """
                DELETE FROM contact_events WHERE organization_id = \(bind: organization) AND contact_id = \(bind: contactID)
                  AND kind <> \(bind: ContactEventKind.erased.rawValue)
                """
            }.run()
            let audit = try await scope.query(ContactEvent.self).filter(\.$contactID == contactID).filter(\.$kind == .erased).count()
            if audit == 0 { try await ContactHistory.record(.erased, contactID: contactID, actor: actor, at: now, in: scope) }
        }

        // 5. SQLite's full-text index keeps deleted words in older segments until they merge.
        if sql.dialect.name == "sqlite" {
            for table in CreateSearchIndexes.indexed.map(\.table) {
                try await sql.raw("INSERT INTO \(unsafeRaw: table)_fts(\(unsafeRaw: table)_fts) VALUES('optimize')").run()
            }
        }
        try await progress(1, "erased")
    }
}

/// The `contact-erasure` job: `ContactErasure` for one contact, with progress for its job page.
struct EraseContact: JobHandler {
    struct Payload: Codable, Sendable {
        var contactID: UUID
        var actor: String?
    }

    static let kind = "contact-erasure"
    static let queue: QueueName = .maintenance
    static let maxAttempts = 10
    static let timeLimit: Duration = .seconds(1800)

    let media: any ObjectStore
    let now: @Sendable () -> Date
    var tuning = ContactErasure.Tuning()

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let organizationID = context.organizationID else { return }
        let scope = TenantScope(organizationID: organizationID, database: context.database)
        try await ContactErasure.erase(
            contactID: payload.contactID, actor: payload.actor, at: now(), in: scope, media: media, tuning: tuning,
            progress: { fraction, message in try await context.progress(fraction, message) })
    }

    /// Queues the erasure and returns its job id: the one already queued or running for this contact, if any.
    static func enqueue(contactID: UUID, actor: String?, in scope: TenantScope, jobs: JobStore) async throws -> UUID {
        let key = "contact-erasure:\(contactID.uuidString.lowercased())"
        let job = try JobStore.NewJob(
            EraseContact.self, .init(contactID: contactID, actor: actor), uniqueKey: key, organizationID: scope.organizationID)
        if let id = try await jobs.enqueue(job) { return id }
        let running = try await scope.sql { organization in
            """
            SELECT id FROM jobs WHERE organization_id = \(bind: organization) AND unique_key = \(bind: key)
              AND state IN ('queued', 'running') ORDER BY created_at DESC LIMIT 1
            """
        }.first()
        guard let id = try running?.decode(column: "id", as: UUID.self) else { throw Abort(.conflict) }
        return id
    }
}
