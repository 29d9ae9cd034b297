import Fluent
import Foundation
import SQLKit
import Vapor

/// Folds a duplicate contact into the one that is kept: conversations, custom field values (the
/// kept contact's value wins when both have one), tags, notes and history move; the duplicate is
/// deleted; the kept contact gets a `merged` line with the duplicate's number. One transaction.
enum ContactMerge {
    enum Refusal: Error, Equatable {
        case sameContact
        case notFound
        /// Both have a conversation with the same business number: their messages would have to be
        /// woven into one thread, which a merge does not do.
        case conversationOnSameNumber
    }

    static func merge(keep keptID: UUID, duplicate duplicateID: UUID, actor: String?, at now: Date, in scope: TenantScope) async throws {
        guard keptID != duplicateID else { throw Refusal.sameContact }
        try await scope.transaction { scope in
            for id in [keptID, duplicateID].sorted() { try await scope.lockRow(of: "contacts", id: id) }
            guard let kept = try await scope.find(Contact.self, keptID), let duplicate = try await scope.find(Contact.self, duplicateID),
                kept.erasedAt == nil, duplicate.erasedAt == nil
            else { throw Refusal.notFound }
            let clash =
                try await scope.sql { organization in
                    """
                    SELECT COUNT(*) AS n FROM conversations a JOIN conversations b ON a.connection_id = b.connection_id
                    WHERE a.organization_id = \(bind: organization) AND b.organization_id = \(bind: organization)
                      AND a.contact_id = \(bind: keptID) AND b.contact_id = \(bind: duplicateID)
                    """
                }.first()?.decode(column: "n", as: Int.self) ?? 0
            guard clash == 0 else { throw Refusal.conversationOnSameNumber }
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
}
