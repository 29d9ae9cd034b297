import Fluent
import Foundation
import SQLKit

/// Where a sequence's contacts stand: how many were enrolled, are on their way, finished or left
/// (by reason), and per step how many messages were queued, sent, delivered, read or failed, how
/// many were skipped (by reason) and how many contacts wait for it now. Counted in two grouped
/// queries, not row by row.
struct DripStatistics: Codable, Sendable, Equatable {
    var enrolled = 0
    var active = 0
    var completed = 0
    var exited = 0
    /// Exit reason (`DripEnrolment.ExitReason`) → contacts.
    var exits: [String: Int] = [:]
    var steps: [Step] = []

    struct Step: Codable, Sendable, Equatable {
        var position: Int
        /// Contacts whose next step this is.
        var waiting = 0
        var queued = 0
        /// Sent includes delivered and read; delivered includes read.
        var sent = 0
        var delivered = 0
        var read = 0
        var failed = 0
        var skipped = 0
        /// Skip reason (`DripDelivery.SkipReason`) → deliveries.
        var skips: [String: Int] = [:]
    }

    static func of(_ sequence: DripSequence, steps: [DripStep], in scope: TenantScope) async throws -> DripStatistics {
        let sequenceID = try sequence.requireID()
        var statistics = DripStatistics()
        var byPosition = Dictionary(uniqueKeysWithValues: steps.map { ($0.position, Step(position: $0.position)) })
        let positionOfStep = Dictionary(uniqueKeysWithValues: steps.compactMap { step in step.id.map { ($0, step.position) } })

        let enrolments = try await scope.sql { organization in
            """
            SELECT status, exit_reason, next_position, COUNT(*) AS n FROM drip_enrolments
            WHERE organization_id = \(bind: organization) AND sequence_id = \(bind: sequenceID)
            GROUP BY status, exit_reason, next_position
            """
        }.all()
        for row in enrolments {
            let count = try row.decode(column: "n", as: Int.self)
            statistics.enrolled += count
            switch DripEnrolment.Status(rawValue: try row.decode(column: "status", as: String.self)) {
            case .active:
                statistics.active += count
                byPosition[try row.decode(column: "next_position", as: Int.self)]?.waiting += count
            case .completed: statistics.completed += count
            case .exited:
                statistics.exited += count
                statistics.exits[try row.decode(column: "exit_reason", as: String?.self) ?? "unknown", default: 0] += count
            case nil: break
            }
        }

        let deliveries = try await scope.sql { organization in
            """
            SELECT drip_deliveries.step_id, drip_deliveries.skip_reason, messages.status, COUNT(*) AS n FROM drip_deliveries
            LEFT JOIN messages ON messages.id = drip_deliveries.message_id AND messages.organization_id = drip_deliveries.organization_id
            WHERE drip_deliveries.organization_id = \(bind: organization) AND drip_deliveries.sequence_id = \(bind: sequenceID)
            GROUP BY drip_deliveries.step_id, drip_deliveries.skip_reason, messages.status
            """
        }.all()
        for row in deliveries {
            guard let position = positionOfStep[try row.decode(column: "step_id", as: UUID.self)] else { continue }
            let count = try row.decode(column: "n", as: Int.self)
            if let reason = try row.decode(column: "skip_reason", as: String?.self) {
                byPosition[position]?.skipped += count
                byPosition[position]?.skips[reason, default: 0] += count
                continue
            }
            switch try row.decode(column: "status", as: String?.self).flatMap(Message.Status.init(rawValue:)) {
            case .queued, .sending, .unknown: byPosition[position]?.queued += count
            case .sent: byPosition[position]?.sent += count
            case .delivered:
                byPosition[position]?.sent += count
                byPosition[position]?.delivered += count
            case .read, .played:
                byPosition[position]?.sent += count
                byPosition[position]?.delivered += count
                byPosition[position]?.read += count
            case .failed: byPosition[position]?.failed += count
            case .received, nil: break
            }
        }
        statistics.steps = byPosition.values.sorted { $0.position < $1.position }
        return statistics
    }
}
