import Fluent
import Foundation

/// Finds connections by what Meta sends, across organizations: a webhook names a phone number id
/// or a WhatsApp Business Account, not an organization. The only cross-organization reads of the
/// WhatsApp channel; everything after them goes through the connection's organization's scope.
struct ConnectionDirectory: Sendable {
    let database: any Database

    func connection(phoneNumberID: String) async throws -> WhatsAppConnection? {
        try await WhatsAppConnection.query(on: database).filter(\.$phoneNumberID == phoneNumberID).first()
    }

    func connection(id: UUID) async throws -> WhatsAppConnection? {
        try await WhatsAppConnection.find(id, on: database)
    }

    func connections(businessAccountID: String) async throws -> [WhatsAppConnection] {
        try await WhatsAppConnection.query(on: database).filter(\.$businessAccountID == businessAccountID).all()
    }

    /// Every connection Meta has not refused, for the nightly template sync.
    func activeConnections() async throws -> [WhatsAppConnection] {
        try await WhatsAppConnection.query(on: database).filter(\.$state == .active).all()
    }

    /// Whether any organization has connected this number.
    func isConnected(phoneNumberID: String) async throws -> Bool {
        try await connection(phoneNumberID: phoneNumberID) != nil
    }
}
