import Fluent
import Foundation
import Jobs
import SQLKit

/// Records that it ran, in the same transaction that completes it: a job that can prove the
/// queue runs each job exactly once. Operators enqueue it with `adsapp jobs enqueue diagnostics.record`;
/// the chaos tests enqueue thousands and count the rows.
struct DiagnosticsJob: JobHandler {
    struct Payload: Codable, Sendable {
        var label: String = "diagnostics"
        /// Work time, to keep jobs in flight while a test kills things.
        var sleepMilliseconds: Int = 0
        /// Fail this many first attempts, to exercise retries.
        var failAttempts: Int = 0

        init(label: String = "diagnostics", sleepMilliseconds: Int = 0, failAttempts: Int = 0) {
            self.label = label
            self.sleepMilliseconds = sleepMilliseconds
            self.failAttempts = failAttempts
        }

        /// Every field is optional in JSON, so `{}` is a valid payload.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            label = try container.decodeIfPresent(String.self, forKey: .label) ?? "diagnostics"
            sleepMilliseconds = try container.decodeIfPresent(Int.self, forKey: .sleepMilliseconds) ?? 0
            failAttempts = try container.decodeIfPresent(Int.self, forKey: .failAttempts) ?? 0
        }
    }

    static let kind = "diagnostics.record"
    static let queue: QueueName = .maintenance
    static let maxAttempts = 8
    static let timeLimit: Duration = .seconds(20)

    struct PlannedFailure: Error, CustomStringConvertible {
        var attempt: Int
        var description: String { "planned failure of attempt \(attempt)" }
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        if payload.sleepMilliseconds > 0 {
            try await Task.sleep(for: .milliseconds(min(payload.sleepMilliseconds, 60_000)))
        }
        if context.attempt <= payload.failAttempts { throw PlannedFailure(attempt: context.attempt) }
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        try await context.complete { database in
            try await database.sql.raw(
                """
                INSERT INTO job_diagnostics (id, job_id, attempt, label, recorded_at)
                VALUES (\(bind: UUID()), \(bind: context.jobID), \(bind: context.attempt), \(bind: payload.label), \(bind: now))
                """
            ).run()
        }
    }
}
