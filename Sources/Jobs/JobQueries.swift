import FluentKit
import Foundation
import SQLKit

/// A job as the operator pages and the progress API show it.
public struct JobSummary: Sendable, Codable, Equatable {
    public var id: UUID
    public var kind: String
    public var queue: String
    public var state: JobState
    public var priority: JobPriority
    public var attempts: Int
    public var maxAttempts: Int
    public var progress: Double
    public var progressMessage: String?
    public var lastError: String?
    public var organizationID: UUID?
    public var createdAt: Date
    public var runAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
}

/// One failed attempt of a job.
public struct JobAttempt: Sendable, Codable, Equatable {
    public var attempt: Int
    public var workerID: String?
    public var finishedAt: Date
    public var error: String
}

/// Jobs per queue and state.
public struct QueueCounts: Sendable, Codable, Equatable {
    public var queue: String
    public var queued: Int = 0
    public var running: Int = 0
    public var succeeded: Int = 0
    public var dead: Int = 0
    /// Queued jobs that have failed at least once and wait for a retry.
    public var retrying: Int = 0
}

extension JobStore {
    static let summaryColumns = """
        id, kind, queue, state, priority, attempts, max_attempts, progress, progress_message, last_error,
        organization_id, created_at, run_at, started_at, finished_at
        """

    static func summary(_ row: any SQLRow) throws -> JobSummary {
        JobSummary(
            id: try row.decode(column: "id", as: UUID.self),
            kind: try row.decode(column: "kind", as: String.self),
            queue: try row.decode(column: "queue", as: String.self),
            state: JobState(rawValue: try row.decode(column: "state", as: String.self)) ?? .queued,
            priority: JobPriority(rawValue: try row.decode(column: "priority", as: Int.self)) ?? .normal,
            attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            progress: try row.decode(column: "progress", as: Double.self),
            progressMessage: try row.decode(column: "progress_message", as: String?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            organizationID: try row.decode(column: "organization_id", as: UUID?.self),
            createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
            runAt: date(try row.decode(column: "run_at", as: Int64.self)),
            startedAt: try row.decode(column: "started_at", as: Int64?.self).map(date),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(date)
        )
    }

    /// A job by id. With `organizationID`, only a job of that organization: another's is `nil`.
    public func find(_ id: UUID, organizationID: UUID?) async throws -> JobSummary? {
        let sql = Self.sql(database)
        let scope: SQLQueryString = organizationID.map { "AND organization_id = \(bind: $0)" } ?? ""
        return try await sql.raw("SELECT \(unsafeRaw: Self.summaryColumns) FROM jobs WHERE id = \(bind: id) \(scope)")
            .first().map(Self.summary)
    }

    public func counts() async throws -> [QueueCounts] {
        let rows = try await Self.sql(database).raw(
            """
            SELECT queue, state, COUNT(*) AS n, SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS failed_before
            FROM jobs GROUP BY queue, state
            """
        ).all()
        var byQueue: [String: QueueCounts] = [:]
        for row in rows {
            let queue = try row.decode(column: "queue", as: String.self)
            let n = try row.decode(column: "n", as: Int.self)
            var counts = byQueue[queue] ?? QueueCounts(queue: queue)
            switch JobState(rawValue: try row.decode(column: "state", as: String.self)) {
            case .queued?:
                counts.queued += n
                counts.retrying += try row.decode(column: "failed_before", as: Int.self)
            case .running?: counts.running += n
            case .succeeded?: counts.succeeded += n
            case .dead?: counts.dead += n
            case nil: break
            }
            byQueue[queue] = counts
        }
        return byQueue.values.sorted { $0.queue < $1.queue }
    }

    /// Dead jobs, newest first, and jobs waiting for a retry, soonest first.
    public func troubled(limit: Int = 100) async throws -> (dead: [JobSummary], retrying: [JobSummary]) {
        let sql = Self.sql(database)
        let dead = try await sql.raw(
            """
            SELECT \(unsafeRaw: Self.summaryColumns) FROM jobs WHERE state = 'dead' ORDER BY finished_at DESC, id LIMIT \(bind: limit)
            """
        ).all().map(Self.summary)
        let retrying = try await sql.raw(
            """
            SELECT \(unsafeRaw: Self.summaryColumns) FROM jobs WHERE state = 'queued' AND attempts > 0 ORDER BY run_at, id LIMIT \(bind: limit)
            """
        ).all().map(Self.summary)
        return (dead, retrying)
    }

    public func attempts(of jobID: UUID) async throws -> [JobAttempt] {
        try await Self.sql(database).raw(
            """
            SELECT attempt, worker_id, finished_at, error FROM job_attempts WHERE job_id = \(bind: jobID) ORDER BY attempt, finished_at
            """
        ).all().map { row in
            JobAttempt(
                attempt: try row.decode(column: "attempt", as: Int.self),
                workerID: try row.decode(column: "worker_id", as: String?.self),
                finishedAt: Self.date(try row.decode(column: "finished_at", as: Int64.self)),
                error: try row.decode(column: "error", as: String.self)
            )
        }
    }

    /// Sends a dead (or waiting) job back to the queue now, with a fresh set of attempts.
    /// Returns `false` when there is no such job in a state that can be retried.
    @discardableResult
    public func retry(_ id: UUID) async throws -> Bool {
        let now = Self.micros(self.now())
        let rows = try await Self.sql(database).raw(
            """
            UPDATE jobs SET state = 'queued', attempts = 0, run_at = \(bind: now), due_at = \(bind: now), finished_at = NULL
            WHERE id = \(bind: id) AND (state = 'dead' OR (state = 'queued' AND attempts > 0))
            RETURNING queue
            """
        ).all()
        if let queue = try rows.first?.decode(column: "queue", as: String.self) {
            if isPostgres { try await Self.sql(database).raw("SELECT pg_notify(\(bind: Self.notificationChannel), \(bind: queue))").run() }
            wakeup?.wake(QueueName(queue))
        }
        return !rows.isEmpty
    }

    /// Removes a dead or waiting job for good. A running job cannot be discarded.
    @discardableResult
    public func discard(_ id: UUID) async throws -> Bool {
        try await database.transaction { transaction in
            let sql = Self.sql(transaction)
            let rows = try await sql.raw("DELETE FROM jobs WHERE id = \(bind: id) AND state IN ('dead', 'queued') RETURNING id").all()
            if !rows.isEmpty { try await sql.raw("DELETE FROM job_attempts WHERE job_id = \(bind: id)").run() }
            return !rows.isEmpty
        }
    }

    /// Deletes succeeded jobs that finished before `date`, and their attempts. Returns how many.
    @discardableResult
    public func pruneSucceeded(finishedBefore date: Date) async throws -> Int {
        let cutoff = Self.micros(date)
        return try await database.transaction { transaction in
            let sql = Self.sql(transaction)
            try await sql.raw(
                """
                DELETE FROM job_attempts WHERE job_id IN (SELECT id FROM jobs WHERE state = 'succeeded' AND finished_at < \(bind: cutoff))
                """
            ).run()
            return try await sql.raw("DELETE FROM jobs WHERE state = 'succeeded' AND finished_at < \(bind: cutoff) RETURNING id").all().count
        }
    }
}
