import Fluent
import Foundation

extension ContactErasePage.Model {
    /// Counts what the erasure will remove, for the confirm page.
    static func load(_ contact: Contact, in scope: TenantScope) async throws -> Self {
        let id = try contact.requireID()
        let row = try await scope.sql { organization in
            """
            SELECT
              (SELECT COUNT(*) FROM conversations WHERE organization_id = \(bind: organization) AND contact_id = \(bind: id)) AS conversations,
              (SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
                 WHERE m.organization_id = \(bind: organization) AND c.contact_id = \(bind: id)) AS messages,
              (SELECT COUNT(*) FROM contact_notes WHERE organization_id = \(bind: organization) AND contact_id = \(bind: id)) AS notes
            """
        }.first()
        return .init(
            id: id, displayName: contact.displayName, phoneNumber: contact.phoneNumber,
            conversations: try row?.decode(column: "conversations", as: Int.self) ?? 0,
            messages: try row?.decode(column: "messages", as: Int.self) ?? 0, notes: try row?.decode(column: "notes", as: Int.self) ?? 0)
    }
}
