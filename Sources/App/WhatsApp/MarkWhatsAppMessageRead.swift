import Fluent
import Foundation
import Jobs
import WhatsAppCloud

/// Tells the customer their message was read (the blue ticks), once an agent has opened the conversation.
struct MarkWhatsAppMessageRead: JobHandler {
    struct Payload: Codable, Sendable {
        var messageID: UUID
    }

    static let kind = "whatsapp.mark-read"
    static let queue: QueueName = "messages"
    static let maxAttempts = 5
    static let timeLimit: Duration = .seconds(60)

    let services: WhatsAppServices
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let organizationID = context.organizationID else { return }
        let scope = TenantScope(organizationID: organizationID, database: context.database)
        guard let message = try await scope.find(Message.self, payload.messageID), message.direction == .inbound,
            let wamid = message.wamid,
            let connection = try await scope.find(WhatsAppConnection.self, message.connectionID), connection.state == .active
        else { return }
        let token = try await services.vault.open(connection.accessTokenSealed, for: organizationID, purpose: .whatsAppAccessToken, on: context.database)
        do {
            try await services.graph.markRead(messageID: wamid, phoneNumberID: connection.phoneNumberID, token: token)
        } catch let error as GraphError where !error.disposition.isRetryable {
            try await ConnectionHealth.record(error, for: connection, at: now(), on: context.database)
            context.logger.notice("read receipt refused", metadata: ["code": .stringConvertible(error.code)])
        }
    }
}
