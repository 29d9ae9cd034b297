import Fluent
import Foundation
import SQLKit
import Vapor

extension Conversation {
    /// The conversation between a contact and one of the organization's numbers, made when there is
    /// none yet: for messages the business starts (a drip step). A new one starts resolved, so it asks
    /// nobody for an answer until the customer writes (which reopens it), and belongs to the number's team.
    static func opened(contactID: UUID, connection: WhatsAppConnection, in scope: TenantScope, now: Date) async throws -> Conversation {
        let connectionID = try connection.requireID()
        func existing() async throws -> Conversation? {
            try await scope.query(Conversation.self).filter(\.$connection.$id == connectionID).filter(\.$contact.$id == contactID).first()
        }
        if let conversation = try await existing() { return conversation }
        // Another process may open the same conversation meanwhile: its row wins and is read back.
        try await scope.sql { organization in
            """
            INSERT INTO conversations (id, organization_id, connection_id, contact_id, status, last_message_at, unread_count, created_at, team_id)
            VALUES (\(bind: UUID()), \(bind: organization), \(bind: connectionID), \(bind: contactID), \(bind: Status.resolved.rawValue),
                    \(bind: now), 0, \(bind: now), \(bind: connection.$team.id))
            ON CONFLICT (connection_id, contact_id) DO NOTHING
            """
        }.run()
        guard let conversation = try await existing() else {
            throw Abort(.internalServerError, reason: "a conversation vanished right after its insert")
        }
        return conversation
    }
}
