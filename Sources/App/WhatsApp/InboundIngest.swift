import Fluent
import Foundation
import Jobs
import SQLKit
import Vapor
import WhatsAppCloud

/// Stores what customers send: finds or makes the contact and the conversation, records the
/// message once (by its WhatsApp id), refreshes the 24-hour window and queues the media download.
struct InboundIngest: Sendable {
    let scope: TenantScope
    let connection: WhatsAppConnection
    let jobs: JobStore
    let now: Date

    /// Records one message; a message already recorded is left alone. Returns whether it was new.
    @discardableResult
    func record(_ message: InboundMessage, profile: WebhookContact?) async throws -> Bool {
        let connectionID = try connection.requireID()
        return try await scope.transaction { scope in
            let known = try await (scope.database as! any SQLDatabase).raw("""
                SELECT 1 AS known FROM messages
                WHERE organization_id = \(bind: scope.organizationID) AND connection_id = \(bind: connectionID) AND wamid = \(bind: message.id)
                """).first()
            if known != nil { return false }
            let contact = try await contact(for: message, profile: profile, in: scope)
            let conversation = try await conversation(with: contact, in: scope)
            let content = MessageContent(message)
            let media = message.content.media

            let row = Message()
            row.id = UUID()
            row.organizationID = scope.organizationID
            row.$conversation.id = try conversation.requireID()
            row.connectionID = connectionID
            row.direction = .inbound
            row.wamid = message.id
            row.kind = Self.kind(of: message)
            row.body = content.preview.isEmpty ? nil : content.preview
            row.content = content.json()
            row.raw = message.raw.jsonText()
            row.status = .received
            row.statusAt = now
            row.replyToWamid = message.context?.messageID
            row.forwarded = message.context?.forwarded == true || message.context?.frequentlyForwarded == true
            row.sentAt = message.timestamp
            row.createdAt = now
            if let media {
                row.mediaID = media.id
                row.mediaMimeType = media.mimeType
                row.mediaSHA256 = media.sha256
                row.mediaFilename = media.filename
                row.mediaState = .pending
            }
            try await row.create(on: scope.database)

            // One statement, so batches processed at the same time for one conversation never lose
            // an update. Reactions are no news for the conversation list.
            let isReaction = content.reaction != nil
            let sql = scope.database as! any SQLDatabase
            let at = message.timestamp
            try await sql.raw("""
                UPDATE conversations SET
                  status = 'open',
                  unread_count = unread_count + \(bind: isReaction ? 0 : 1),
                  last_message_preview = CASE WHEN \(bind: !isReaction) AND \(bind: at) >= last_message_at THEN \(bind: content.preview) ELSE last_message_preview END,
                  last_message_at = CASE WHEN \(bind: !isReaction) AND \(bind: at) >= last_message_at THEN \(bind: at) ELSE last_message_at END,
                  last_inbound_at = CASE WHEN last_inbound_at IS NULL OR \(bind: at) > last_inbound_at THEN \(bind: at) ELSE last_inbound_at END
                WHERE id = \(bind: try conversation.requireID()) AND organization_id = \(bind: scope.organizationID)
                """).run()

            if media != nil {
                try await jobs.enqueue(
                    .init(DownloadInboundMedia.self, .init(messageID: try row.requireID()), priority: .high, organizationID: scope.organizationID),
                    on: scope.database
                )
            }
            return true
        }
    }

    /// The type as stored: WhatsApp's own, or `unsupported` for anything this version cannot read.
    static func kind(of message: InboundMessage) -> String {
        if case .unsupported = message.content { return "unsupported" }
        if message.decodingError != nil { return "unsupported" }
        return message.type
    }

    private func contact(for message: InboundMessage, profile: WebhookContact?, in scope: TenantScope) async throws -> Contact {
        let waID = profile?.waID ?? message.from
        let userID = profile?.userID ?? message.fromUserID
        var existing: Contact?
        if let waID { existing = try await scope.query(Contact.self).filter(\.$waID == waID).first() }
        if existing == nil, let userID { existing = try await scope.query(Contact.self).filter(\.$userID == userID).first() }
        if let contact = existing {
            var changed = false
            if let name = profile?.name, !name.isEmpty, contact.profileName != name { contact.profileName = name; changed = true }
            if let userID, contact.userID != userID { contact.userID = userID; changed = true }
            if contact.waID == nil, let waID { contact.waID = waID; changed = true }
            if changed {
                contact.updatedAt = now
                try await contact.save(on: scope.database)
            }
            return contact
        }
        guard let waID else {
            // Only a business-scoped user id: nothing unique to meet on, so a plain insert.
            let contact = Contact()
            contact.id = UUID()
            contact.organizationID = scope.organizationID
            contact.userID = userID
            contact.profileName = profile?.name
            contact.createdAt = now
            contact.updatedAt = now
            try await contact.create(on: scope.database)
            return contact
        }
        // A customer's first messages often arrive in batches processed at the same time: the first
        // insert wins and the others use its row, instead of failing on the unique index.
        try await (scope.database as! any SQLDatabase).raw("""
            INSERT INTO contacts (id, organization_id, wa_id, user_id, profile_name, created_at, updated_at)
            VALUES (\(bind: UUID()), \(bind: scope.organizationID), \(bind: waID), \(bind: userID), \(bind: profile?.name), \(bind: now), \(bind: now))
            ON CONFLICT (organization_id, wa_id) DO NOTHING
            """).run()
        guard let contact = try await scope.query(Contact.self).filter(\.$waID == waID).first() else {
            throw Abort(.internalServerError, reason: "a contact vanished right after its insert")
        }
        return contact
    }

    private func conversation(with contact: Contact, in scope: TenantScope) async throws -> Conversation {
        let connectionID = try connection.requireID()
        let contactID = try contact.requireID()
        if let existing = try await scope.query(Conversation.self)
            .filter(\.$connection.$id == connectionID)
            .filter(\.$contact.$id == contactID)
            .first() {
            return existing
        }
        try await (scope.database as! any SQLDatabase).raw("""
            INSERT INTO conversations (id, organization_id, connection_id, contact_id, status, last_message_at, unread_count, created_at)
            VALUES (\(bind: UUID()), \(bind: scope.organizationID), \(bind: connectionID), \(bind: contactID), 'open', \(bind: Date.distantPast), 0, \(bind: now))
            ON CONFLICT (connection_id, contact_id) DO NOTHING
            """).run()
        guard let conversation = try await scope.query(Conversation.self)
            .filter(\.$connection.$id == connectionID)
            .filter(\.$contact.$id == contactID)
            .first()
        else { throw Abort(.internalServerError, reason: "the conversation vanished after its insert") }
        return conversation
    }
}
