import Fluent
import Foundation
import SQLKit
import WhatsAppCloud

/// Applies Meta's status callbacks (sent, delivered, read, played, failed) to outbound messages,
/// many at once: one read for all the messages they name, one write for all that reach the same status.
struct StatusIngest: Sendable {
    let scope: TenantScope
    let connectionID: UUID
    let events: InboxEventLog

    private struct Row {
        var id: UUID
        var status: Message.Status
        var statusAt: Date
        var errorCode: Int?
        var errorTitle: String?
        var changed = false
    }

    /// Applies the statuses in order and returns the WhatsApp ids of messages this app does not know.
    func apply(_ statuses: [MessageStatus]) async throws -> Set<String> {
        let relevant = statuses.filter { Message.Status($0.status) != nil }
        guard !relevant.isEmpty else { return [] }
        let wamids = Array(Set(relevant.map(\.id)))
        var rows: [String: Row] = [:]
        for chunk in wamids.chunks(of: 500) {
            let found = try await scope.sql(
                """
                SELECT id, wamid, status, status_at FROM messages
                WHERE organization_id = \(bind: scope.organizationID) AND connection_id = \(bind: connectionID)
                  AND direction = 'outbound' AND wamid IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                """
            ).all()
            for row in found {
                let wamid = try row.decode(column: "wamid", as: String.self)
                guard let status = Message.Status(rawValue: try row.decode(column: "status", as: String.self)) else { continue }
                rows[wamid] = Row(id: try row.decode(column: "id", as: UUID.self), status: status, statusAt: try row.decode(column: "status_at", as: Date.self))
            }
        }
        var unknown: Set<String> = []
        for status in relevant {
            guard var row = rows[status.id] else { unknown.insert(status.id); continue }
            let next = Message.Status(status.status)!
            guard DeliveryProgress.advances(from: row.status, to: next) else { continue }
            row.status = next
            row.statusAt = status.timestamp
            if next == .failed, let error = status.errors.first {
                row.errorCode = error.code
                row.errorTitle = (error.title ?? error.message).map { String($0.prefix(300)) }
            }
            row.changed = true
            rows[status.id] = row
        }
        // Conditional on the stored status, so a batch processed at the same time can never move one
        // back; one statement for all the messages that reach the same status, in id order so two
        // batches never wait on each other in a circle.
        let moved = rows.values.filter(\.changed).sorted { $0.id < $1.id }
        // The conversations of the messages that did move, for one inbox event each.
        var conversations: Set<UUID> = []
        for (status, group) in Dictionary(grouping: moved, by: \.status).sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let from = SQLGroupExpression(Message.Status.allCases.filter { DeliveryProgress.advances(from: $0, to: status) }.map { SQLBind($0.rawValue) })
            if status == .failed {
                for row in group {
                    let updated = try await scope.sql(
                        """
                        UPDATE messages SET status = \(bind: status.rawValue), status_at = \(bind: row.statusAt),
                          error_code = \(bind: row.errorCode), error_title = \(bind: row.errorTitle)
                        WHERE id = \(bind: row.id) AND organization_id = \(bind: scope.organizationID) AND status IN \(from)
                        RETURNING conversation_id
                        """
                    ).all()
                    try conversations.formUnion(updated.map { try $0.decode(column: "conversation_id", as: UUID.self) })
                }
                continue
            }
            for chunk in group.chunks(of: 500) {
                let times = SQLList(chunk.map { row -> SQLQueryString in "WHEN \(bind: row.id) THEN \(bind: row.statusAt)" }, separator: SQLRaw(" "))
                let updated = try await scope.sql(
                    """
                    UPDATE messages SET status = \(bind: status.rawValue), status_at = CASE id \(times) END
                    WHERE id IN \(SQLGroupExpression(chunk.map { SQLBind($0.id) })) AND organization_id = \(bind: scope.organizationID)
                      AND status IN \(from)
                    RETURNING conversation_id
                    """
                ).all()
                try conversations.formUnion(updated.map { try $0.decode(column: "conversation_id", as: UUID.self) })
            }
        }
        try await events.record(.status, conversations: conversations)
        return unknown
    }
}
