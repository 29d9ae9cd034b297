import Fluent
import Foundation
import Jobs
import SQLKit
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

            // Reactions change no window and are no news for the conversation list.
            let isReaction = content.reaction != nil
            if message.timestamp >= conversation.lastMessageAt, !isReaction {
                conversation.lastMessageAt = message.timestamp
                conversation.lastMessagePreview = content.preview
            }
            if conversation.lastInboundAt.map({ message.timestamp > $0 }) ?? true {
                conversation.lastInboundAt = message.timestamp
            }
            if !isReaction { conversation.unreadCount += 1 }
            conversation.status = .open
            try await conversation.save(on: scope.database)

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
        let contact = Contact()
        contact.id = UUID()
        contact.organizationID = scope.organizationID
        contact.waID = waID
        contact.userID = userID
        contact.profileName = profile?.name
        contact.createdAt = now
        contact.updatedAt = now
        try await contact.create(on: scope.database)
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
        let conversation = Conversation()
        conversation.id = UUID()
        conversation.organizationID = scope.organizationID
        conversation.$connection.id = connectionID
        conversation.$contact.id = contactID
        conversation.status = .open
        conversation.lastMessageAt = .distantPast
        conversation.unreadCount = 0
        conversation.createdAt = now
        try await conversation.create(on: scope.database)
        return conversation
    }
}
