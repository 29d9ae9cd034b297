@testable import App
import Fluent
import Foundation

/// WhatsApp rows written straight to the database, for tests that need an organization's channel
/// data without running the channel (the tenant isolation walk).
struct WhatsAppSeed {
    var connectionID: UUID
    var contactID: UUID
    var conversationID: UUID
    var messageID: UUID
    var templateID: UUID

    var ids: [UUID] { [connectionID, contactID, conversationID, messageID, templateID] }

    static func make(in organizationID: UUID, label: String, phoneNumberID: String, app: TestApp) async throws -> WhatsAppSeed {
        let db = app.db
        let vault = app.app.whatsApp.vault
        let now = app.clock.now

        let connection = WhatsAppConnection()
        connection.id = UUID()
        connection.organizationID = organizationID
        connection.phoneNumberID = phoneNumberID
        connection.businessAccountID = "9\(phoneNumberID)"
        connection.displayPhoneNumber = "+31 20 \(label)"
        connection.verifiedName = "\(label) Shop"
        connection.accessTokenSealed = try await vault.seal("token-\(label)", for: organizationID, purpose: .whatsAppAccessToken, on: db)
        connection.sendsPerSecond = 80
        connection.state = .active
        connection.createdAt = now
        try await connection.create(on: db)

        let contact = Contact(organizationID: organizationID, waID: "3161\(phoneNumberID.suffix(7))", profileName: "\(label) Contact", now: now)
        try await contact.create(on: db)

        let conversation = Conversation()
        conversation.id = UUID()
        conversation.organizationID = organizationID
        conversation.$connection.id = connection.id!
        conversation.$contact.id = contact.id!
        conversation.status = .open
        conversation.lastMessageAt = now
        conversation.lastMessagePreview = "\(label) message"
        conversation.lastInboundAt = now
        conversation.unreadCount = 1
        conversation.createdAt = now
        try await conversation.create(on: db)

        let message = Message()
        message.id = UUID()
        message.organizationID = organizationID
        message.$conversation.id = conversation.id!
        message.connectionID = connection.id!
        message.direction = .inbound
        message.wamid = "wamid.\(label)"
        message.kind = "image"
        message.body = "\(label) message"
        message.content = MessageContent().json()
        message.status = .received
        message.statusAt = now
        message.forwarded = false
        let key = MediaKeys.key(organizationID: organizationID, messageID: message.id!)
        try await app.app.whatsApp.media.put(Data("\(label) media bytes".utf8), key: key, contentType: "image/png")
        message.mediaObjectKey = key
        message.mediaMimeType = "image/png"
        message.mediaState = .stored
        message.sentAt = now
        message.createdAt = now
        try await message.create(on: db)

        let template = MessageTemplate()
        template.id = UUID()
        template.organizationID = organizationID
        template.businessAccountID = connection.businessAccountID
        template.name = "\(label.lowercased())_template"
        template.language = "en_US"
        template.category = "UTILITY"
        template.status = "APPROVED"
        template.components = "[]"
        template.updatedAt = now
        try await template.create(on: db)

        return WhatsAppSeed(
            connectionID: connection.id!, contactID: contact.id!, conversationID: conversation.id!, messageID: message.id!, templateID: template.id!)
    }

    /// Everything about the seeded rows that a wrong-tenant request could change.
    static func state(of organizationID: UUID, app: TestApp) async throws -> [String] {
        let scope = TenantScope(organizationID: organizationID, database: app.db)
        var lines: [String] = []
        lines += try await scope.query(WhatsAppConnection.self).all().map {
            "\($0.id!) \($0.state) \($0.phoneNumberID) \($0.accessTokenSealed.base64EncodedString())"
        }
        lines += try await scope.query(Conversation.self).all().map { "\($0.id!) \($0.status) \($0.unreadCount)" }
        lines += try await scope.query(Message.self).all().map { "\($0.id!) \($0.status) \($0.body ?? "")" }
        lines += try await scope.query(MessageTemplate.self).all().map { "\($0.id!) \($0.name) \($0.status)" }
        lines += try await scope.query(Contact.self).all().map { "\($0.id!) \($0.profileName ?? "")" }
        return lines.sorted()
    }
}
