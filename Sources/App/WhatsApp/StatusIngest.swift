import Fluent
import Foundation
import WhatsAppCloud

/// Applies Meta's status callbacks (sent, delivered, read, played, failed) to outbound messages.
struct StatusIngest: Sendable {
    let scope: TenantScope
    let connection: WhatsAppConnection
    let now: Date

    enum Outcome: Equatable { case applied, ignored, unknownMessage }

    func apply(_ status: MessageStatus) async throws -> Outcome {
        guard let next = Self.messageStatus(status.status) else { return .ignored }
        let connectionID = try connection.requireID()
        guard let message = try await scope.query(Message.self)
            .filter(\.$connectionID == connectionID)
            .filter(\.$wamid == status.id)
            .first()
        else { return .unknownMessage }
        guard message.direction == .outbound, DeliveryProgress.advances(from: message.status, to: next) else { return .ignored }
        message.status = next
        message.statusAt = status.timestamp
        if next == .failed, let error = status.errors.first {
            message.errorCode = error.code
            message.errorTitle = error.title ?? error.message
        }
        try await message.save(on: scope.database)
        return .applied
    }

    static func messageStatus(_ status: DeliveryStatus) -> Message.Status? {
        switch status {
        case .sent: .sent
        case .delivered: .delivered
        case .read: .read
        case .played: .played
        case .failed: .failed
        default: nil
        }
    }
}
