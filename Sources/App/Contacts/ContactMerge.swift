import Fluent
import Foundation
import Jobs
import SQLKit
import Vapor

/// Folds a duplicate contact into the one that is kept: conversations, custom field values (the
/// kept contact's value wins when both have one), tags, notes and history move; the duplicate is
/// deleted; the kept contact gets a `merged` line with the duplicate's number. One transaction.
///
/// A number has one thread per contact, so when both contacts wrote to the same business number
/// the duplicate's thread is woven into the kept one: its messages, notes, mentions, tags and
/// inbox events move there (the timeline orders by time), and the kept thread takes the later
/// last message, the sum of the unread counts, the longer wait, and an open status if either
/// thread was open. Open inbox tabs hear of it: the kept thread changed, and a tab showing the
/// woven one is told where it went (`merged_into`).
enum ContactMerge {
    enum Refusal: Error, Equatable {
        case sameContact
        case notFound
    }

    static func merge(
        keep keptID: UUID, duplicate duplicateID: UUID, actor: String?, at now: Date, in scope: TenantScope, inboxWakeUp: Signal
    ) async throws {
        guard keptID != duplicateID else { throw Refusal.sameContact }
        try await scope.transaction { scope in
            for id in [keptID, duplicateID].sorted() { try await scope.lockRow(of: "contacts", id: id) }
            guard let kept = try await scope.find(Contact.self, keptID), let duplicate = try await scope.find(Contact.self, duplicateID),
                kept.erasedAt == nil, duplicate.erasedAt == nil
            else { throw Refusal.notFound }
            let keptThreads = try await scope.query(Conversation.self).filter(\.$contact.$id == keptID).all()
            let events = InboxEventLog(database: scope.database, wakeUp: inboxWakeUp, now: now)
            for thread in try await scope.query(Conversation.self).filter(\.$contact.$id == duplicateID).all() {
                if let kept = keptThreads.first(where: { $0.$connection.id == thread.$connection.id }) {
                    try await weave(thread, into: kept, in: scope, events: events)
                }
            }
            let keptFields = Set(try await scope.query(ContactFieldValue.self).filter(\.$contactID == keptID).all().map(\.fieldID))
            let keptTags = Set(try await scope.query(ContactTag.self).filter(\.$contactID == keptID).all().map(\.tagID))
            func move(_ table: String, except column: String? = nil, _ values: Set<UUID> = []) async throws {
                let skip: SQLQueryString =
                    column.map { values.isEmpty ? "" : "AND \(unsafeRaw: $0) NOT IN (\(SQLList(values.sorted().map { SQLBind($0) })))" } ?? ""
                try await scope.sql { organization in
                    """
                    UPDATE \(unsafeRaw: table) SET contact_id = \(bind: keptID)
                    WHERE organization_id = \(bind: organization) AND contact_id = \(bind: duplicateID) \(skip)
                    """
                }.run()
            }
            try await move("conversations")
            try await move("contact_field_values", except: "field_id", keptFields)
            try await move("contact_tags", except: "tag_id", keptTags)
            try await move("contact_notes")
            try await move("contact_events")
            // What did not move (values and tags the kept contact has already) goes with the duplicate.
            for table in ["contact_field_values", "contact_tags"] {
                try await scope.sql { organization in
                    "DELETE FROM \(unsafeRaw: table) WHERE organization_id = \(bind: organization) AND contact_id = \(bind: duplicateID)"
                }.run()
            }
            if kept.name == nil, let name = duplicate.name { kept.name = name }
            if kept.email == nil, let email = duplicate.email { kept.email = email }
            if kept.profileName == nil, let profile = duplicate.profileName { kept.profileName = profile }
            if let theirs = duplicate.lastInboundAt, theirs > (kept.lastInboundAt ?? .distantPast) {
                kept.lastInboundAt = theirs
                kept.lastInboundConnectionID = duplicate.lastInboundConnectionID
            }
            kept.updatedAt = now
            let number = duplicate.phoneNumber ?? duplicate.displayName
            try await duplicate.delete(on: scope.database)
            try await kept.save(on: scope.database)
            try await ContactHistory.record(.merged, contactID: keptID, detail: number, actor: actor, at: now, in: scope)
        }
    }

    /// Moves everything of `thread` into `kept` (both with one contact on one number) and deletes `thread`.
    private static func weave(_ thread: Conversation, into kept: Conversation, in scope: TenantScope, events: InboxEventLog) async throws {
        let from = try thread.requireID()
        let to = try kept.requireID()
        for table in ["messages", "notes", "mentions", "inbox_events"] {
            try await scope.sql { organization in
                """
                UPDATE \(unsafeRaw: table) SET conversation_id = \(bind: to)
                WHERE organization_id = \(bind: organization) AND conversation_id = \(bind: from)
                """
            }.run()
        }
        // A tag both threads carry stays once.
        try await scope.sql { organization in
            """
            UPDATE conversation_tags SET conversation_id = \(bind: to)
            WHERE organization_id = \(bind: organization) AND conversation_id = \(bind: from)
              AND tag_id NOT IN (SELECT tag_id FROM conversation_tags WHERE organization_id = \(bind: organization) AND conversation_id = \(bind: to))
            """
        }.run()
        if thread.lastMessageAt > kept.lastMessageAt {
            kept.lastMessageAt = thread.lastMessageAt
            kept.lastMessagePreview = thread.lastMessagePreview
        }
        if let theirs = thread.lastInboundAt, theirs > (kept.lastInboundAt ?? .distantPast) { kept.lastInboundAt = theirs }
        kept.unreadCount += thread.unreadCount
        if let theirs = thread.waitingSince, theirs < (kept.waitingSince ?? .distantFuture) { kept.waitingSince = theirs }
        if kept.$assignee.id == nil { kept.$assignee.id = thread.$assignee.id }
        if kept.$team.id == nil { kept.$team.id = thread.$team.id }
        if thread.status == .open || kept.status == .resolved && thread.status != .resolved {
            kept.status = thread.status
            kept.snoozedUntil = thread.snoozedUntil
        }
        if thread.createdAt < kept.createdAt { kept.createdAt = thread.createdAt }
        try await kept.save(on: scope.database)
        // Recorded while both rows exist: each event carries its thread's team and assignee (who may hear it).
        try await events.record(.conversation, conversations: [from, to], data: ["change": "merged", "merged_into": to.uuidString])
        // The rest (tags the kept thread has already) goes with the deleted thread.
        try await thread.delete(on: scope.database)
    }
}
