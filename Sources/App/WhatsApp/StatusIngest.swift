import Fluent
import Foundation
import SQLKit
import WhatsAppCloud

/// Applies Meta's status callbacks (sent, delivered, read, played, failed) to outbound messages,
/// many at once: one read for all the messages they name, one write per message that moves.
struct StatusIngest: Sendable {
    let scope: TenantScope
    let connectionID: UUID

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
        let sql = scope.database as! any SQLDatabase
        let wamids = Array(Set(relevant.map(\.id)))
        var rows: [String: Row] = [:]
        for chunk in stride(from: 0, to: wamids.count, by: 500).map({ Array(wamids[$0..<min($0 + 500, wamids.count)]) }) {
            let found = try await sql.raw("""
                SELECT id, wamid, status, status_at FROM messages
                WHERE organization_id = \(bind: scope.organizationID) AND connection_id = \(bind: connectionID)
                  AND direction = 'outbound' AND wamid IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                """).all()
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
        for row in rows.values where row.changed {
            // Conditional on the stored status, so a batch processed at the same time can never move it back.
            let from = SQLGroupExpression(Message.Status.allCases.filter { DeliveryProgress.advances(from: $0, to: row.status) }.map { SQLBind($0.rawValue) })
            if row.status == .failed {
                try await sql.raw("""
                    UPDATE messages SET status = \(bind: row.status.rawValue), status_at = \(bind: row.statusAt),
                      error_code = \(bind: row.errorCode), error_title = \(bind: row.errorTitle)
                    WHERE id = \(bind: row.id) AND organization_id = \(bind: scope.organizationID) AND status IN \(from)
                    """).run()
            } else {
                try await sql.raw("""
                    UPDATE messages SET status = \(bind: row.status.rawValue), status_at = \(bind: row.statusAt)
                    WHERE id = \(bind: row.id) AND organization_id = \(bind: scope.organizationID) AND status IN \(from)
                    """).run()
            }
        }
        return unknown
    }
}
