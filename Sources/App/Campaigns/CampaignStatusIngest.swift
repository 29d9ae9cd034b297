import Fluent
import Foundation
import SQLKit
import WhatsAppCloud

/// Applies Meta's status callbacks to campaign messages: found by the WhatsApp id the send recorded,
/// or by the recipient id the message carried as callback data, which also settles a recipient
/// whose send was cut off before its WhatsApp id was recorded. Only recipients of campaigns on the
/// connection the callback came for are touched.
struct CampaignStatusIngest: Sendable {
    let scope: TenantScope
    let connectionID: UUID
    let now: Date

    private struct Row {
        var id: UUID
        var wamid: String?
        var status: CampaignRecipient.Status
        var statusAt: Date?
        var errorCode: Int?
        var reason: String?
        var changed = false
    }

    /// Applies the statuses and returns the WhatsApp ids that name no campaign message either.
    func apply(_ statuses: [MessageStatus]) async throws -> Set<String> {
        guard !statuses.isEmpty else { return [] }
        var rows: [UUID: Row] = [:]
        var byWamid: [String: UUID] = [:]
        let wamids = Array(Set(statuses.map(\.id)))
        for chunk in wamids.chunks(of: 500) {
            for row in try await find("r.wamid IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))") {
                rows[row.id] = row
                if let wamid = row.wamid { byWamid[wamid] = row.id }
            }
        }
        let named = Set(statuses.compactMap { status in byWamid[status.id] == nil ? Self.recipientID(status.bizOpaqueCallbackData) : nil })
        for chunk in Array(named).chunks(of: 500) {
            for row in try await find("r.id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))") where rows[row.id] == nil {
                rows[row.id] = row
            }
        }
        var unknown: Set<String> = []
        var confirmed: Set<UUID> = []
        var learned: [UUID: String] = [:]
        for status in statuses {
            guard let id = byWamid[status.id] ?? Self.recipientID(status.bizOpaqueCallbackData), var row = rows[id] else {
                unknown.insert(status.id)
                continue
            }
            confirmed.insert(id)
            if row.wamid == nil {
                row.wamid = status.id
                learned[id] = status.id
            }
            guard let next = Message.Status(status.status).flatMap(CampaignRecipient.Status.init(_:)), row.status.advances(to: next) else {
                rows[id] = row
                continue
            }
            row.status = next
            row.statusAt = status.timestamp
            if next == .failed, let error = status.errors.first {
                row.errorCode = error.code
                row.reason = String((error.title ?? error.message ?? "WhatsApp error \(error.code)").prefix(300))
            }
            row.changed = true
            rows[id] = row
        }
        // One statement per status reached (a failure, rare, one per row), conditional on the stored status so a
        // batch processed at the same time never moves one back; in id order so two batches never wait in a circle.
        let moved = rows.values.filter { $0.changed || learned[$0.id] != nil }.sorted { $0.id < $1.id }
        for (status, group) in Dictionary(grouping: moved, by: \.status).sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let from = SQLGroupExpression(
                CampaignRecipient.Status.allCases.filter { $0 == status || $0.advances(to: status) }.map { SQLBind($0.rawValue) })
            for chunk in group.chunks(of: status == .failed ? 1 : 500) {
                let times = SQLList(chunk.map { row -> SQLQueryString in "WHEN \(bind: row.id) THEN \(bind: row.statusAt)" }, separator: SQLRaw(" "))
                let wamids = SQLList(chunk.map { row -> SQLQueryString in "WHEN \(bind: row.id) THEN \(bind: row.wamid)" }, separator: SQLRaw(" "))
                let failure: SQLQueryString =
                    status == .failed ? ", error_code = \(bind: chunk[chunk.startIndex].errorCode), reason = \(bind: chunk[chunk.startIndex].reason)" : ""
                try await scope.sql { organization in
                    """
                    UPDATE campaign_recipients SET status = \(bind: status.rawValue), status_at = CASE id \(times) END,
                      wamid = COALESCE(wamid, CASE id \(wamids) END), confirmed_at = \(bind: now)\(failure)
                    WHERE organization_id = \(bind: organization) AND id IN \(SQLGroupExpression(chunk.map { SQLBind($0.id) })) AND status IN \(from)
                    """
                }.run()
            }
        }
        // That a callback came, for the ones that did not move: a member may only send again what none confirmed.
        let touched = Set(moved.map(\.id))
        for chunk in confirmed.subtracting(touched).sorted().chunks(of: 500) {
            try await scope.sql { organization in
                """
                UPDATE campaign_recipients SET confirmed_at = \(bind: now)
                WHERE organization_id = \(bind: organization) AND id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                """
            }.run()
        }
        return unknown
    }

    private func find(_ condition: SQLQueryString) async throws -> [Row] {
        try await scope.sql { organization in
            """
            SELECT r.id, r.wamid, r.status, r.status_at, r.error_code, r.reason FROM campaign_recipients r
            JOIN campaigns c ON c.id = r.campaign_id AND c.organization_id = r.organization_id
            WHERE r.organization_id = \(bind: organization) AND c.connection_id = \(bind: connectionID) AND \(condition)
            """
        }.all().compactMap { row in
            guard let status = CampaignRecipient.Status(rawValue: try row.decode(column: "status", as: String.self)) else { return nil }
            return Row(
                id: try row.decode(column: "id", as: UUID.self), wamid: try row.decode(column: "wamid", as: String?.self), status: status,
                statusAt: try row.decode(column: "status_at", as: Date?.self), errorCode: try row.decode(column: "error_code", as: Int?.self),
                reason: try row.decode(column: "reason", as: String?.self))
        }
    }

    static func recipientID(_ callbackData: String?) -> UUID? {
        guard let callbackData, callbackData.hasPrefix(CampaignSender.callbackPrefix) else { return nil }
        return UUID(uuidString: String(callbackData.dropFirst(CampaignSender.callbackPrefix.count)))
    }
}

extension CampaignRecipient.Status {
    /// The recipient status for a status Meta reports.
    init?(_ status: Message.Status) {
        switch status {
        case .sent: self = .sent
        case .delivered: self = .delivered
        case .read, .played: self = .read
        case .failed: self = .failed
        case .received, .queued, .sending, .unknown: return nil
        }
    }
}
