import Fluent
import Foundation
import Jobs
import SQLKit

/// Puts a campaign's messages that Meta accepted into the contacts' conversations, so the agent who
/// answers a reply sees what the customer got: one message row per recipient (a template, with Meta's
/// message id and the recipient's status, so later callbacks move it on as any other), a conversation
/// opened (resolved, in the number's team) for a contact who had none, and the conversations' previews
/// moved forward. Run by `ShowCampaignMessages`, off the sender's path; a message already there is
/// left as it is, so a run that repeats does no harm.
struct CampaignThread: Sendable {
    let scope: TenantScope
    let connection: WhatsAppConnection
    let inboxWakeUp: Signal
    let now: Date

    struct Sent: Sendable {
        var contactID: UUID
        var wamid: String
        var status: Message.Status
        var draft: OutboundDraft.TemplateDraft
    }

    func record(_ sent: [Sent]) async throws {
        guard !sent.isEmpty else { return }
        let conversations = try await Conversation.opened(contactIDs: Set(sent.map(\.contactID)), connection: connection, in: scope, now: now)
        let connectionID = try connection.requireID()
        var touched: Set<UUID> = []
        // 14 binds a row; far below PostgreSQL's 65,535 a statement.
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
                    SQLBind(content.json()), SQLBind(message.status.rawValue), SQLBind(now), SQLBind(false), SQLBind(now), SQLBind(now),
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
        let preview = "📄 " + (sent.first?.draft.name ?? "")
        for chunk in ids.chunks(of: 500) {
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

/// The job that shows a batch of a campaign's sent recipients in their conversations
/// (`CampaignThread`). The sender queues one a batch (one insert on its path instead of the thread's
/// writes); a backlog merges into fewer, bigger runs.
struct ShowCampaignMessages: MergeableJobHandler {
    struct Payload: Codable, Sendable {
        var organizationID: UUID
        var recipientIDs: [UUID]
    }

    static let kind = "campaign.thread"
    static let queue: QueueName = .inbox
    static let mergeLimit = 20

    static func merge(_ first: Payload, _ next: Payload) -> Payload? {
        guard first.organizationID == next.organizationID, first.recipientIDs.count + next.recipientIDs.count <= 2_000 else { return nil }
        return Payload(organizationID: first.organizationID, recipientIDs: first.recipientIDs + next.recipientIDs)
    }

    let inboxWakeUp: Signal
    let now: @Sendable () -> Date

    static func job(_ recipientIDs: [UUID], organizationID: UUID) throws -> JobStore.NewJob {
        try JobStore.NewJob(ShowCampaignMessages.self, .init(organizationID: organizationID, recipientIDs: recipientIDs), organizationID: organizationID)
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        let scope = TenantScope(organizationID: payload.organizationID, database: context.database)
        var byConnection: [UUID: [CampaignThread.Sent]] = [:]
        for chunk in payload.recipientIDs.chunks(of: 500) {
            let rows = try await scope.sql { organization in
                """
                SELECT r.contact_id, r.wamid, r.status, r.draft, c.connection_id FROM campaign_recipients r
                JOIN campaigns c ON c.id = r.campaign_id AND c.organization_id = r.organization_id
                WHERE r.organization_id = \(bind: organization) AND r.id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                  AND r.wamid IS NOT NULL AND r.draft IS NOT NULL
                """
            }.all()
            for row in rows {
                guard let wamid = try row.decode(column: "wamid", as: String?.self),
                    let json = try row.decode(column: "draft", as: String?.self),
                    let draft = try? JSONDecoder().decode(OutboundDraft.TemplateDraft.self, from: Data(json.utf8))
                else { continue }
                let status = Message.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .sent
                byConnection[try row.decode(column: "connection_id", as: UUID.self), default: []].append(
                    .init(contactID: try row.decode(column: "contact_id", as: UUID.self), wamid: wamid, status: status, draft: draft))
            }
        }
        for (connectionID, sent) in byConnection {
            guard let connection = try await scope.find(WhatsAppConnection.self, connectionID) else { continue }
            try await CampaignThread(scope: scope, connection: connection, inboxWakeUp: inboxWakeUp, now: now()).record(sent)
        }
    }
}
