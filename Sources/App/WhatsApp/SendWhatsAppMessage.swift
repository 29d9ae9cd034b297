import Fluent
import Foundation
import Jobs
import SQLKit
import WhatsAppCloud

/// Hands one queued message to Meta, at most once.
///
/// The message moves `queued` → `sending` in a conditional update before the call. A run that finds
/// it `sending` knows an earlier run stopped during the call: the outcome is unknown, so it marks the
/// message `unknown` and lets the status webhooks tell, instead of sending twice. Errors in which
/// Meta refused the message (throughput, pair rate, service trouble) put it back to `queued` and
/// retry with backoff; all others fail it with Meta's code.
struct SendWhatsAppMessage: JobHandler {
    struct Payload: Codable, Sendable {
        var messageID: UUID
    }

    static let kind = "whatsapp.send"
    static let queue: QueueName = "messages"
    static let maxAttempts = 8
    static let timeLimit: Duration = .seconds(180)

    let services: WhatsAppServices
    let inboxWakeUp: Signal
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let organizationID = context.organizationID else { return }
        let scope = TenantScope(organizationID: organizationID, database: context.database)
        guard let message = try await scope.find(Message.self, payload.messageID) else { return }
        switch message.status {
        case .queued: break
        case .sending:
            try await set(message, .unknown, on: scope)
            return
        default:
            return
        }
        guard let connection = try await scope.find(WhatsAppConnection.self, message.connectionID),
            let conversation = try await scope.find(Conversation.self, message.$conversation.id),
            let contact = try await scope.find(Contact.self, conversation.$contact.id), let waID = contact.waID
        else { return try await fail(message, code: nil, title: "The conversation's number or contact no longer exists", on: scope) }
        guard connection.state == .active else {
            return try await fail(message, code: 190, title: SendRefusal.connectionBroken.description, on: scope)
        }
        let draft = try JSONDecoder().decode(OutboundDraft.self, from: Data((message.raw ?? "").utf8))
        let token = try await services.vault.open(connection.accessTokenSealed, for: organizationID, purpose: .whatsAppAccessToken, on: context.database)

        // Everything before the claim may safely repeat.
        let limiter = SendRateLimiter(database: context.database.sql, now: now)
        try await limiter.take(.number(connection.phoneNumberID, perSecond: connection.sendsPerSecond))
        try await limiter.take(.recipient(connection.phoneNumberID, waID))
        var mediaID: String?
        if let upload = draft.upload {
            let stored = try await services.media.get(upload.objectKey)
            mediaID = try await services.graph.uploadMedia(
                stored.data, mimeType: upload.mimeType, filename: upload.filename,
                phoneNumberID: connection.phoneNumberID, token: token
            )
        }
        let outbound = OutboundMessage(to: waID, content: try draft.outboundContent(mediaID: mediaID), replyTo: draft.replyTo)

        guard try await claim(message, on: scope) else { return }
        do {
            let result = try await services.graph.send(outbound, from: connection.phoneNumberID, token: token)
            message.wamid = result.messageID
            message.status = .sent
            message.statusAt = now()
            try await message.save(on: context.database)
            try await announce(message, on: scope)
        } catch let error as GraphError where error.httpStatus != nil {
            try await handle(error, message: message, connection: connection, scope: scope, context: context)
        } catch {
            // No answer from Meta (timeout, dropped connection): the request may have arrived. Never resend;
            // the status webhooks will tell what happened.
            context.logger.warning(
                "WhatsApp send outcome unknown", metadata: ["message": .string(payload.messageID.uuidString), "error": .string(String(describing: error))])
            try await set(message, .unknown, on: scope)
        }
    }

    private func handle(_ error: GraphError, message: Message, connection: WhatsAppConnection, scope: TenantScope, context: JobContext) async throws {
        let disposition = error.disposition
        try await ConnectionHealth.record(error, for: connection, at: now(), on: scope.database)
        if disposition.isRetryable, context.attempt < Self.maxAttempts {
            // Meta refused this message without sending it: it may go again after a pause.
            try await set(message, .queued, on: scope)
            throw error
        }
        try await fail(message, code: error.code, title: error.title ?? error.message, on: scope)
    }

    /// Moves the message from `queued` to `sending`; false if another run got there first.
    private func claim(_ message: Message, on scope: TenantScope) async throws -> Bool {
        let rows = try await scope.sql(
            """
            UPDATE messages SET status = 'sending', status_at = \(bind: now())
            WHERE id = \(bind: try message.requireID()) AND organization_id = \(bind: scope.organizationID) AND status = 'queued'
            RETURNING id
            """
        ).all()
        if rows.isEmpty { return false }
        message.status = .sending
        return true
    }

    private func set(_ message: Message, _ status: Message.Status, on scope: TenantScope) async throws {
        message.status = status
        message.statusAt = now()
        try await message.save(on: scope.database)
        try await announce(message, on: scope)
    }

    /// Tells the open inboxes that the message's ticks moved.
    private func announce(_ message: Message, on scope: TenantScope) async throws {
        try await InboxEventLog(database: scope.database, wakeUp: inboxWakeUp, now: now()).record(.status, conversations: [message.$conversation.id])
    }

    private func fail(_ message: Message, code: Int?, title: String?, on scope: TenantScope) async throws {
        message.status = .failed
        message.statusAt = now()
        message.errorCode = code
        message.errorTitle = title.map { String($0.prefix(300)) }
        try await message.save(on: scope.database)
        try await announce(message, on: scope)
    }
}
