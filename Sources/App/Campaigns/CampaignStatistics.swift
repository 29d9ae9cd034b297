import Fluent
import Foundation
import SQLKit

/// Where a campaign's recipients stand, counted in one pass over its recipients: how many are
/// waiting, sent, delivered and read (each including those further along), failed by reason,
/// skipped by reason, and how many replied or opted out after their message.
struct CampaignStatistics: Codable, Sendable, Equatable {
    var audience = 0
    var queued = 0
    var sent = 0
    var delivered = 0
    var read = 0
    var failed = 0
    var unknown = 0
    var skipped = 0
    var replied = 0
    var optedOut = 0
    var failures: [Reason] = []
    var skips: [Reason] = []

    struct Reason: Codable, Sendable, Equatable {
        var code: Int?
        var reason: String
        var count: Int
    }

    enum CodingKeys: String, CodingKey {
        case audience, queued, sent, delivered, read, failed, unknown, skipped, replied, failures, skips
        case optedOut = "opted_out"
    }

    /// The share of the recipients that have an outcome, 0 to 1.
    var progress: Double {
        let toSend = audience - skipped
        guard toSend > 0 else { return audience > 0 ? 1 : 0 }
        return Double(toSend - queued) / Double(toSend)
    }

    static func of(_ campaignID: UUID, in scope: TenantScope) async throws -> CampaignStatistics {
        try await of([campaignID], in: scope)[campaignID] ?? CampaignStatistics()
    }

    /// The statistics of several campaigns (a list page), in the same two grouped queries as one.
    static func of(_ campaignIDs: [UUID], in scope: TenantScope) async throws -> [UUID: CampaignStatistics] {
        guard !campaignIDs.isEmpty else { return [:] }
        var all = Dictionary(uniqueKeysWithValues: campaignIDs.map { ($0, CampaignStatistics()) })
        let campaigns = SQLGroupExpression(campaignIDs.map { SQLBind($0) })
        let byStatus = try await scope.sql { organization in
            """
            SELECT campaign_id, status, error_code, reason, COUNT(*) AS n FROM campaign_recipients
            WHERE organization_id = \(bind: organization) AND campaign_id IN \(campaigns)
            GROUP BY campaign_id, status, error_code, reason
            """
        }.all()
        for row in byStatus {
            let campaignID = try row.decode(column: "campaign_id", as: UUID.self)
            let count = try row.decode(column: "n", as: Int.self)
            let reason = try row.decode(column: "reason", as: String?.self) ?? ""
            let code = try row.decode(column: "error_code", as: Int?.self)
            let status = CampaignRecipient.Status(rawValue: try row.decode(column: "status", as: String.self))
            all[campaignID]?.add(count, status, code: code, reason: reason)
        }
        let responses = try await scope.sql { organization in
            """
            SELECT r.campaign_id,
              SUM(CASE WHEN c.last_inbound_at > r.sent_at THEN 1 ELSE 0 END) AS replied,
              SUM(CASE WHEN c.marketing_status = 'opted_out' AND c.marketing_changed_at > r.sent_at THEN 1 ELSE 0 END) AS opted_out
            FROM campaign_recipients r JOIN contacts c ON c.id = r.contact_id AND c.organization_id = r.organization_id
            WHERE r.organization_id = \(bind: organization) AND r.campaign_id IN \(campaigns) AND r.sent_at IS NOT NULL
            GROUP BY r.campaign_id
            """
        }.all()
        for row in responses {
            let campaignID = try row.decode(column: "campaign_id", as: UUID.self)
            all[campaignID]?.replied = try row.decode(column: "replied", as: Int?.self) ?? 0
            all[campaignID]?.optedOut = try row.decode(column: "opted_out", as: Int?.self) ?? 0
        }
        return all.mapValues { statistics in
            var statistics = statistics
            statistics.failures = merged(statistics.failures)
            statistics.skips = merged(statistics.skips)
            return statistics
        }
    }

    /// Counts `count` recipients in `status` (each of sent, delivered and read includes those further along).
    private mutating func add(_ count: Int, _ status: CampaignRecipient.Status?, code: Int?, reason: String) {
        audience += count
        switch status {
        case .pending, .sending: queued += count
        case .unknown: unknown += count
        case .sent: sent += count
        case .delivered:
            sent += count
            delivered += count
        case .read:
            sent += count
            delivered += count
            read += count
        case .failed:
            failed += count
            failures.append(Reason(code: code, reason: reason, count: count))
        case .skipped:
            skipped += count
            skips.append(Reason(code: nil, reason: reason, count: count))
        case nil: break
        }
    }

    /// One line per reason, most frequent first.
    private static func merged(_ reasons: [Reason]) -> [Reason] {
        var counts: [String: Reason] = [:]
        for reason in reasons {
            let key = "\(reason.code ?? 0)|\(reason.reason)"
            counts[key, default: Reason(code: reason.code, reason: reason.reason, count: 0)].count += reason.count
        }
        return counts.values.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
    }
}
