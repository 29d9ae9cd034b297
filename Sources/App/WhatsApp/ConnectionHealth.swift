import Fluent
import Foundation
import WhatsAppCloud

/// What happens when Meta refuses a connection's token (error 190): the connection is marked
/// broken, nothing more is sent with it, and its organization's admins see a notice on every page
/// until someone saves a new token.
enum ConnectionHealth {
    private static func markBroken(_ connection: WhatsAppConnection, reason: String, at now: Date, on database: any Database) async throws {
        guard connection.state != .broken else { return }
        connection.state = .broken
        connection.stateDetail = String(reason.prefix(500))
        connection.checkedAt = now
        try await connection.save(on: database)
    }

    /// Marks the connection broken when Meta's error says the token or the account is unusable
    /// (190; 131031 and 368); any other error leaves it alone.
    static func record(_ error: GraphError, for connection: WhatsAppConnection, at now: Date, on database: any Database) async throws {
        let detail = error.message ?? error.title ?? ""
        switch error.disposition {
        case .tokenBroken:
            try await markBroken(connection, reason: "Meta refused the access token (error 190): \(detail)", at: now, on: database)
        case .accountBlocked:
            try await markBroken(connection, reason: "Meta blocked this WhatsApp account (error \(error.code)): \(detail)", at: now, on: database)
        default:
            break
        }
    }

    /// The number and reason of the organization's broken connections, for the notice admins see on
    /// every page (two columns by SQL: a model query costs more than the rest of the frame).
    static func broken(in scope: TenantScope) async throws -> [(number: String, detail: String?)] {
        try await scope.sql { organization in
            """
            SELECT display_phone_number, state_detail FROM whatsapp_connections
            WHERE organization_id = \(bind: organization) AND state = \(bind: WhatsAppConnection.State.broken.rawValue)
            ORDER BY display_phone_number
            """
        }.all().map { (try $0.decode(column: "display_phone_number", as: String.self), try $0.decode(column: "state_detail", as: String?.self)) }
    }
}
