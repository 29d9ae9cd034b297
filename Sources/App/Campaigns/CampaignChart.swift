import Foundation
import SQLKit

/// A campaign's messages over time: how many were sent, delivered and read by each of evenly spaced
/// moments from the first send to the last status. Counted in one pass over the recipients; the
/// page draws it as lines (`CampaignChartView`).
struct CampaignChart: Sendable, Equatable {
    struct Point: Sendable, Equatable {
        var at: Date
        var sent: Int
        var delivered: Int
        var read: Int
    }

    var points: [Point]

    static let steps = 24

    static func of(_ campaignID: UUID, in scope: TenantScope) async throws -> CampaignChart {
        let range = try await scope.sql { organization in
            """
            SELECT MIN(sent_at) AS first, MAX(COALESCE(status_at, sent_at)) AS last FROM campaign_recipients
            WHERE organization_id = \(bind: organization) AND campaign_id = \(bind: campaignID) AND sent_at IS NOT NULL
            """
        }.first()
        guard let first = try range?.decode(column: "first", as: Date?.self), let last = try range?.decode(column: "last", as: Date?.self) else {
            return CampaignChart(points: [])
        }
        let span = max(1, last.timeIntervalSince(first))
        let moments = (0...steps).map { first.addingTimeInterval(span * Double($0) / Double(steps)) }
        // Delivery and reading have only their latest time: a read message counts as delivered when it was read.
        var sums: [SQLQueryString] = []
        for (index, moment) in moments.enumerated() {
            sums.append("SUM(CASE WHEN sent_at <= \(bind: moment) THEN 1 ELSE 0 END) AS s\(unsafeRaw: String(index))")
            sums.append(
                "SUM(CASE WHEN status IN ('delivered', 'read') AND status_at <= \(bind: moment) THEN 1 ELSE 0 END) AS d\(unsafeRaw: String(index))")
            sums.append("SUM(CASE WHEN status = 'read' AND status_at <= \(bind: moment) THEN 1 ELSE 0 END) AS r\(unsafeRaw: String(index))")
        }
        let columns = SQLList(sums, separator: SQLRaw(", "))
        guard
            let row = try await scope.sql({ organization in
                """
                SELECT \(columns) FROM campaign_recipients
                WHERE organization_id = \(bind: organization) AND campaign_id = \(bind: campaignID) AND sent_at IS NOT NULL
                """
            }).first()
        else { return CampaignChart(points: []) }
        return CampaignChart(
            points: try moments.enumerated().map { index, moment in
                Point(
                    at: moment, sent: try row.decode(column: "s\(index)", as: Int?.self) ?? 0,
                    delivered: try row.decode(column: "d\(index)", as: Int?.self) ?? 0, read: try row.decode(column: "r\(index)", as: Int?.self) ?? 0)
            })
    }
}
