import Fluent
import Foundation

/// What happens when Meta refuses a connection's token (error 190): the connection is marked
/// broken, nothing more is sent with it, and its organization's admins see a notice on every page
/// until someone saves a new token.
enum ConnectionHealth {
    static func markBroken(_ connection: WhatsAppConnection, reason: String, at now: Date, on database: any Database) async throws {
        guard connection.state != .broken else { return }
        connection.state = .broken
        connection.stateDetail = String(reason.prefix(500))
        connection.checkedAt = now
        try await connection.save(on: database)
    }

    /// Broken connections of the organization, for the notice admins see.
    static func broken(in scope: TenantScope) async throws -> [WhatsAppConnection] {
        try await scope.query(WhatsAppConnection.self).filter(\.$state == .broken).all()
    }
}
