import Fluent
import Foundation
import Jobs
import SQLKit

/// Puts a campaign's messages that Meta accepted into the contacts' conversations, so the agent who
/// answers a reply sees what the customer got: one message row per recipient (a template, with Meta's
/// message id, so status callbacks move it on as any other), a conversation opened (resolved, in the
/// number's team) for a contact who had none, and the conversations' previews moved forward. A batch
/// at a time, in a few statements.
struct CampaignThread: Sendable {
    let scope: TenantScope
    let connection: WhatsAppConnection
    let inboxWakeUp: Signal
    let now: Date

    struct Sent: Sendable {
        var contactID: UUID
        var wamid: String
        var draft: OutboundDraft.TemplateDraft
    }

    func record(_ sent: [Sent]) async throws {
        guard !sent.isEmpty else { return }
        let conversations = try await Conversation.opened(contactIDs: Set(sent.map(\.contactID)), connection: connection, in: scope, now: now)
        let connectionID = try connection.requireID()
        var touched: Set<UUID> = []
        // 13 binds a row; far below PostgreSQL's 65,535 a statement.
        for chunk in sent.chunks(of: 500) {
            let values: [any SQLExpression] = chunk.compactMap { message in
                guard let conversationID = conversations[message.contactID] else { return nil }
                touched.insert(conversationID)
                var draft = OutboundDraft(type: .template)
                draft.template = message.draft
                let content = draft.content
                return SQLGroupExpression([
                    SQLBind(UUID()), SQLBind(scope.organizationID), SQLBind(conversationID), SQLBind(connectionID),
                    SQLBind(Message.Direction.outbound.rawValue), SQLBind(message.wamid), SQLBind("template"), SQLBind(content.preview),
                    SQLBind(content.json()), SQLBind(Message.Status.sent.rawValue), SQLBind(now), SQLBind(false), SQLBind(now), SQLBind(now),
                ])
            }
            guard !values.isEmpty else { continue }
            try await scope.sql(
                """
                INSERT INTO messages (id, organization_id, conversation_id, connection_id, direction, wamid, kind, body, content, status,
                                      status_at, forwarded, sent_at, created_at)
                VALUES \(SQLList(values))
                ON CONFLICT (connection_id, wamid) DO NOTHING
                """
            ).run()
        }
        let ids = touched.sorted()
        for chunk in ids.chunks(of: 500) {
            let preview = "📄 " + (sent.first?.draft.name ?? "")
            try await scope.sql { organization in
                """
                UPDATE conversations SET last_message_at = \(bind: now), last_message_preview = \(bind: preview)
                WHERE organization_id = \(bind: organization) AND id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                  AND last_message_at <= \(bind: now)
                """
            }.run()
        }
        try await InboxEventLog(database: scope.database, wakeUp: inboxWakeUp, now: now).record(.message, conversations: ids)
    }
}
