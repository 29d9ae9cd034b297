import ADSappCore
import Fluent
import Foundation
import Jobs
import WhatsAppCloud

/// Why a message was not queued. Each case is something the sender can act on.
enum SendRefusal: Error, Equatable, CustomStringConvertible {
    /// Free-form messages need an open 24-hour window; only approved templates may start a conversation.
    case windowClosed(closedAt: Date?)
    case templateNotApproved(name: String, status: String?)
    case connectionBroken
    case contactHasNoWhatsAppID
    case invalid(field: String, problem: String)

    var code: String {
        switch self {
        case .windowClosed: "window_closed"
        case .templateNotApproved: "template_not_approved"
        case .connectionBroken: "connection_broken"
        case .contactHasNoWhatsAppID: "no_whatsapp_id"
        case .invalid: "invalid_message"
        }
    }

    var description: String {
        switch self {
        case .windowClosed:
            "The customer has not written in the last 24 hours, so WhatsApp only accepts an approved template. Send a template instead."
        case .templateNotApproved(let name, let status):
            "The template \"\(name)\" is \(status ?? "not synced from WhatsApp"); only APPROVED templates can be sent."
        case .connectionBroken:
            "This WhatsApp number is disconnected: Meta refused its access token. An admin must save a new token."
        case .contactHasNoWhatsAppID:
            "This contact has no WhatsApp number to send to."
        case .invalid(let field, let problem):
            "\(field): \(problem)"
        }
    }
}

/// Records an outbound message and queues its send, in one transaction (at most once: the job
/// never resends a message whose outcome is unknown).
struct MessageSending: Sendable {
    let scope: TenantScope
    let jobs: JobStore
    let inboxWakeUp: Signal
    let now: Date

    /// Who a message comes from, for what it does to the conversation.
    enum Origin: Sendable {
        /// An answer to the customer: a member's reply (or a reply the app sends for them).
        case answer
        /// A drip step: the business writes first, so a customer who is waiting still waits.
        case drip
        /// An automatic answer the AI wrote: it answers the customer, and the thread marks it.
        case autoAnswer
    }

    /// Run it inside a transaction to record other rows with the message.
    func queue(_ draft: OutboundDraft, in conversation: Conversation, sender: UUID?, origin: Origin = .answer) async throws -> Message {
        guard let connection = try await scope.find(WhatsAppConnection.self, conversation.$connection.id) else {
            throw SendRefusal.connectionBroken
        }
        guard connection.state == .active else { throw SendRefusal.connectionBroken }
        guard let contact = try await scope.find(Contact.self, conversation.$contact.id), let waID = contact.waID else {
            throw SendRefusal.contactHasNoWhatsAppID
        }
        let outbound = try Self.validate(draft, to: waID)
        if draft.isTemplate, let template = draft.template {
            let stored = try await scope.query(MessageTemplate.self)
                .filter(\.$businessAccountID == connection.businessAccountID)
                .filter(\.$name == template.name)
                .filter(\.$language == template.language)
                .first()
            guard stored?.status == "APPROVED" else { throw SendRefusal.templateNotApproved(name: template.name, status: stored?.status) }
        } else {
            let window = CustomerServiceWindow(lastInboundAt: conversation.lastInboundAt)
            guard window.isOpen(at: now) else { throw SendRefusal.windowClosed(closedAt: window.closesAt) }
        }

        let content = draft.content
        let message = Message()
        message.id = UUID()
        message.organizationID = scope.organizationID
        message.$conversation.id = try conversation.requireID()
        message.connectionID = try connection.requireID()
        message.direction = .outbound
        message.kind = outbound.typeName
        message.body = content.preview.isEmpty ? nil : content.preview
        message.content = content.json()
        message.raw = String(decoding: try JSONEncoder().encode(draft), as: UTF8.self)
        message.status = .queued
        message.statusAt = now
        message.replyToWamid = draft.replyTo
        message.forwarded = false
        if let upload = draft.upload {
            message.mediaObjectKey = upload.objectKey
            message.mediaMimeType = upload.mimeType
            message.mediaFilename = upload.filename
            message.mediaSize = Int64(upload.size)
            message.mediaState = .stored
        }
        message.senderUserID = sender
        message.autoAnswer = origin == .autoAnswer ? true : nil
        message.sentAt = now
        message.createdAt = now
        let job = try JobStore.NewJob(
            SendWhatsAppMessage.self, .init(messageID: try message.requireID()),
            priority: .high, uniqueKey: "send:\(try message.requireID())", organizationID: scope.organizationID
        )
        let (inboxWakeUp, now) = (inboxWakeUp, now)
        try await scope.transaction { scope in
            try await message.create(on: scope.database)
            if draft.type != .reaction {
                conversation.lastMessageAt = now
                conversation.lastMessagePreview = content.preview
            }
            // The customer has an answer.
            if origin != .drip { conversation.waitingSince = nil }
            try await conversation.save(on: scope.database)
            try await jobs.enqueue(job, on: scope.database)
            try await InboxEventLog(database: scope.database, wakeUp: inboxWakeUp, now: now).record(.message, conversations: [conversation.requireID()])
        }
        return message
    }

    /// Meta's limits, checked before anything is recorded. Returns the message's WhatsApp content
    /// (with a stand-in id for a file that is uploaded at send time).
    @discardableResult
    static func validate(_ draft: OutboundDraft, to waID: String) throws -> OutboundContent {
        do {
            let content = try draft.outboundContent(mediaID: draft.upload == nil ? nil : "pending")
            try OutboundMessage(to: waID, content: content, replyTo: draft.replyTo).validate()
            return content
        } catch let error as OutboundDraft.Invalid {
            throw SendRefusal.invalid(field: error.field, problem: error.problem)
        } catch let error as WhatsAppValidationError {
            throw SendRefusal.invalid(field: error.field, problem: error.problem)
        }
    }
}
