import Fluent
import Foundation
import SQLKit
import Vapor

extension Conversation {
    /// The conversation between a contact and one of the organization's numbers, made when there is
    /// none yet: for messages the business starts (a drip step). A new one starts resolved, so it asks
    /// nobody for an answer until the customer writes (which reopens it), and belongs to the number's team.
    static func opened(contactID: UUID, connection: WhatsAppConnection, in scope: TenantScope, now: Date) async throws -> Conversation {
        let ids = try await opened(contactIDs: [contactID], connection: connection, in: scope, now: now)
        guard let id = ids[contactID], let conversation = try await scope.find(Conversation.self, id) else {
            throw Abort(.internalServerError, reason: "a conversation vanished right after its insert")
        }
        return conversation
    }

    /// The same for many contacts at once: each contact's conversation id.
    static func opened(contactIDs: Set<UUID>, connection: WhatsAppConnection, in scope: TenantScope, now: Date) async throws -> [UUID: UUID] {
        let connectionID = try connection.requireID()
        func existing(_ contactIDs: some Collection<UUID>) async throws -> [UUID: UUID] {
            var found: [UUID: UUID] = [:]
            for chunk in Array(contactIDs).chunks(of: 500) {
                let rows = try await scope.sql { organization in
                    """
                    SELECT id, contact_id FROM conversations
                    WHERE organization_id = \(bind: organization) AND connection_id = \(bind: connectionID)
                      AND contact_id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                    """
                }.all()
                for row in rows { found[try row.decode(column: "contact_id", as: UUID.self)] = try row.decode(column: "id", as: UUID.self) }
            }
            return found
        }
        var found = try await existing(contactIDs)
        let missing = contactIDs.subtracting(found.keys)
        guard !missing.isEmpty else { return found }
        for chunk in missing.sorted().chunks(of: 500) {
            // Another process may open the same conversation meanwhile: its row wins and is read back.
            try await scope.sql { organization in
                let values = chunk.map { contactID in
                    SQLGroupExpression(
                        [
                            SQLBind(UUID()), SQLBind(organization), SQLBind(connectionID), SQLBind(contactID), SQLBind(Status.resolved.rawValue),
                            SQLBind(now), SQLBind(0), SQLBind(now), SQLBind(connection.$team.id),
                        ] as [any SQLExpression])
                }
                return """
                    INSERT INTO conversations (id, organization_id, connection_id, contact_id, status, last_message_at, unread_count, created_at, team_id)
                    VALUES \(SQLList(values))
                    ON CONFLICT (connection_id, contact_id) DO NOTHING
                    """
            }.run()
        }
        found.merge(try await existing(missing)) { old, _ in old }
        return found
    }
}
