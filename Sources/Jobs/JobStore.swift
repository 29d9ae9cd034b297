import FluentKit
import Foundation
import SQLKit

/// The job tables, read and written with plain SQL that runs on PostgreSQL and on SQLite.
///
/// On PostgreSQL many processes claim at once (`FOR UPDATE SKIP LOCKED`); on SQLite every
/// statement goes through the app's single connection, so a claim is atomic by construction.
/// Times are stored as microseconds since 1970 in BIGINT columns: the same on both databases,
/// and cheap to compare and order.
public struct JobStore: Sendable {
    public let database: any Database
    let now: @Sendable () -> Date
    let wakeup: JobWakeup?

    public init(database: any Database, now: @escaping @Sendable () -> Date = { Date() }, wakeup: JobWakeup? = nil) {
        self.database = database
        self.now = now
        self.wakeup = wakeup
    }

    var isPostgres: Bool { (database as? any SQLDatabase)?.dialect.name == "postgresql" }

    static func sql(_ database: any Database) -> any SQLDatabase { database as! any SQLDatabase }

    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
    static func date(_ micros: Int64) -> Date { Date(timeIntervalSince1970: Double(micros) / 1_000_000) }

    /// The PostgreSQL channel on which enqueues announce their queue.
    public static let notificationChannel = "adsapp_jobs"

    // MARK: - Enqueue

    /// A job to add to the queue.
    public struct NewJob: Sendable {
        public var kind: String
        public var queue: QueueName
        public var payload: String
        public var priority: JobPriority
        public var runAt: Date?
        /// While a job with this key is queued or running, another with the same key is not added.
        public var uniqueKey: String?
        public var maxAttempts: Int
        public var organizationID: UUID?

        public init<H: JobHandler>(
            _ handler: H.Type, _ payload: H.Payload, priority: JobPriority = .normal, runAt: Date? = nil,
            uniqueKey: String? = nil, organizationID: UUID? = nil
        ) throws {
            let data = try JSONEncoder().encode(payload)
            self.init(
                kind: H.kind, queue: H.queue, payload: String(decoding: data, as: UTF8.self), priority: priority,
                runAt: runAt, uniqueKey: uniqueKey, maxAttempts: H.maxAttempts, organizationID: organizationID)
        }

        public init(
            kind: String, queue: QueueName, payload: String, priority: JobPriority = .normal, runAt: Date? = nil,
            uniqueKey: String? = nil, maxAttempts: Int = 5, organizationID: UUID? = nil
        ) {
            self.kind = kind
            self.queue = queue
            self.payload = payload
            self.priority = priority
            self.runAt = runAt
            self.uniqueKey = uniqueKey
            self.maxAttempts = max(1, maxAttempts)
            self.organizationID = organizationID
        }
    }

    /// Adds jobs. Pass a transaction as `database` to enqueue atomically with the writes that need
    /// the jobs: neither then exists without the other. Returns the new jobs' ids, `nil` where a
    /// unique key was already queued or running.
    @discardableResult
    public func enqueue(_ jobs: [NewJob], on database: (any Database)? = nil) async throws -> [UUID?] {
        guard !jobs.isEmpty else { return [] }
        let sql = Self.sql(database ?? self.database)
        let now = Self.micros(self.now())
        var ids: [UUID?] = []
        ids.reserveCapacity(jobs.count)
        // 14 binds a row; stay far below PostgreSQL's 65,535 binds a statement.
        for chunk in stride(from: 0, to: jobs.count, by: 1000).map({ jobs[$0..<min($0 + 1000, jobs.count)] }) {
            let rows = chunk.map { job -> (id: UUID, values: SQLGroupExpression) in
                let id = UUID()
                let runAt = job.runAt.map(Self.micros) ?? now
                let values: [any Encodable & Sendable] = [
                    id, job.kind, job.queue.rawValue, job.payload, job.priority.rawValue, JobState.queued.rawValue,
                    runAt, runAt + job.priority.allowanceMicroseconds, 0, job.maxAttempts,
                    job.uniqueKey, job.organizationID, now, 0.0,
                ]
                return (id, SQLGroupExpression(SQLList(values.map { SQLBind($0) })))
            }
            let valueList = SQLList(rows.map(\.values))
            let inserted = try await sql.raw(
                """
                INSERT INTO jobs (id, kind, queue, payload, priority, state, run_at, due_at, attempts, max_attempts,
                                  unique_key, organization_id, created_at, progress)
                VALUES \(valueList)
                ON CONFLICT DO NOTHING
                RETURNING id
                """
            ).all().map { try $0.decode(column: "id", as: UUID.self) }
            let insertedSet = Set(inserted)
            ids += rows.map { insertedSet.contains($0.id) ? $0.id : nil }
        }
        try await notify(Set(jobs.map(\.queue)), on: sql)
        return ids
    }

    @discardableResult
    public func enqueue(_ job: NewJob, on database: (any Database)? = nil) async throws -> UUID? {
        try await enqueue([job], on: database).first ?? nil
    }

    /// Brings the queued job holding `uniqueKey` forward to now when it waits for a later time: for a
    /// job put off for a reason that has gone (a campaign waiting on a limit, paused, then resumed).
    /// A running job is left alone. Returns whether one was brought forward.
    @discardableResult
    public func bringForward(uniqueKey: String, on database: (any Database)? = nil) async throws -> Bool {
        let sql = Self.sql(database ?? self.database)
        let now = Self.micros(self.now())
        let queues = try await sql.raw(
            """
            UPDATE jobs SET due_at = due_at - (run_at - \(bind: now)), run_at = \(bind: now)
            WHERE unique_key = \(bind: uniqueKey) AND state = \(bind: JobState.queued.rawValue) AND run_at > \(bind: now)
            RETURNING queue
            """
        ).all().map { QueueName(try $0.decode(column: "queue", as: String.self)) }
        try await notify(Set(queues), on: sql)
        return !queues.isEmpty
    }

    /// Tells the workers of `queues` that work is due: this process's at once, every process's on
    /// PostgreSQL by one notification a queue, delivered when the caller's transaction commits.
    private func notify(_ queues: Set<QueueName>, on sql: any SQLDatabase) async throws {
        for queue in queues {
            if isPostgres { try await sql.raw("SELECT pg_notify(\(bind: Self.notificationChannel), \(bind: queue.rawValue))").run() }
            wakeup?.wake(queue)
        }
    }

    // MARK: - Claim and finish

    /// Takes up to `limit` due jobs of a queue, earliest deadline first, and leases them to `workerID`.
    func claim(queue: QueueName, limit: Int, workerID: String, lease: Duration) async throws -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        let sql = Self.sql(database)
        let now = Self.micros(self.now())
        let leaseEnd = now + Self.micros(lease)
        let lock = isPostgres ? SQLRaw("FOR UPDATE SKIP LOCKED") : SQLRaw("")
        return try await sql.raw(
            """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, worker_id = \(bind: workerID),
                   lease_expires_at = \(bind: leaseEnd), started_at = \(bind: now)
            WHERE id IN (
                SELECT id FROM jobs
                WHERE queue = \(bind: queue.rawValue) AND state = 'queued' AND run_at <= \(bind: now)
                ORDER BY due_at, id
                LIMIT \(bind: limit)
                \(lock)
            )
            RETURNING id, kind, payload, priority, attempts, max_attempts, organization_id, created_at
            """
        ).all().map { row in
            ClaimedJob(
                id: try row.decode(column: "id", as: UUID.self),
                kind: try row.decode(column: "kind", as: String.self),
                queue: queue,
                payload: try row.decode(column: "payload", as: String.self),
                priority: JobPriority(rawValue: try row.decode(column: "priority", as: Int.self)) ?? .normal,
                attempt: try row.decode(column: "attempts", as: Int.self),
                maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
                organizationID: try row.decode(column: "organization_id", as: UUID?.self),
                workerID: workerID,
                enqueuedAt: Self.date(try row.decode(column: "created_at", as: Int64.self)),
                startedAt: Self.date(now)
            )
        }
    }

    /// Marks one claimed job succeeded on `database` (the handler's transaction, when it has one).
    /// Throws `JobError.leaseLost` when the claim is no longer this worker's.
    func markSucceeded(_ claim: JobClaim, on database: any Database) async throws {
        let rows = try await Self.sql(database).raw(
            """
            UPDATE jobs SET state = 'succeeded', finished_at = \(bind: Self.micros(now())), lease_expires_at = NULL, progress = 1.0
            WHERE id = \(bind: claim.id) AND worker_id = \(bind: claim.workerID) AND attempts = \(bind: claim.attempt) AND state = 'running'
            RETURNING id
            """
        ).all()
        guard !rows.isEmpty else { throw JobError.leaseLost }
    }

    /// Marks many claimed jobs of one worker succeeded in one statement.
    func markSucceeded(_ claims: [JobClaim]) async throws {
        guard let workerID = claims.first?.workerID else { return }
        try await Self.sql(database).raw(
            """
            UPDATE jobs SET state = 'succeeded', finished_at = \(bind: Self.micros(now())), lease_expires_at = NULL, progress = 1.0
            WHERE worker_id = \(bind: workerID) AND state = 'running' AND id IN \(SQLGroupExpression(SQLList(claims.map { SQLBind($0.id) })))
            """
        ).run()
    }

    /// Records a failed attempt: the job returns to the queue at `retryAt`, or goes to the dead
    /// letters when it has used its attempts (or `dead` is set: it can never succeed).
    func markFailed(_ claim: JobClaim, error: String, retryAt: Date, dead: Bool = false) async throws {
        let now = Self.micros(self.now())
        let runAt = Self.micros(retryAt)
        let message = String(error.prefix(2000))
        try await database.transaction { transaction in
            let sql = Self.sql(transaction)
            let updated = try await sql.raw(
                """
                UPDATE jobs SET
                    state = CASE WHEN \(bind: dead) OR attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                    finished_at = CASE WHEN \(bind: dead) OR attempts >= max_attempts THEN \(bind: now) ELSE NULL END,
                    run_at = \(bind: runAt), due_at = \(bind: runAt + claim.priority.allowanceMicroseconds),
                    worker_id = NULL, lease_expires_at = NULL, last_error = \(bind: message)
                WHERE id = \(bind: claim.id) AND worker_id = \(bind: claim.workerID) AND attempts = \(bind: claim.attempt) AND state = 'running'
                RETURNING id
                """
            ).all()
            guard !updated.isEmpty else { return }
            try await Self.recordAttempt(
                sql, jobID: claim.id, attempt: claim.attempt, workerID: claim.workerID,
                startedAt: Self.micros(claim.startedAt), finishedAt: now, error: message)
        }
    }

    static func recordAttempt(_ sql: any SQLDatabase, jobID: UUID, attempt: Int, workerID: String?, startedAt: Int64?, finishedAt: Int64, error: String)
        async throws
    {
        try await sql.raw(
            """
            INSERT INTO job_attempts (id, job_id, attempt, worker_id, started_at, finished_at, error)
            VALUES (\(bind: UUID()), \(bind: jobID), \(bind: attempt), \(bind: workerID), \(bind: startedAt), \(bind: finishedAt), \(bind: error))
            """
        ).run()
    }

    /// Extends the leases of jobs a live worker is still running.
    func renewLeases(workerID: String, jobIDs: [UUID], lease: Duration) async throws {
        guard !jobIDs.isEmpty else { return }
        try await Self.sql(database).raw(
            """
            UPDATE jobs SET lease_expires_at = \(bind: Self.micros(now()) + Self.micros(lease))
            WHERE worker_id = \(bind: workerID) AND state = 'running' AND id IN \(SQLGroupExpression(SQLList(jobIDs.map { SQLBind($0) })))
            """
        ).run()
    }

    /// Puts jobs whose worker vanished (lease expired) back in the queue, or in the dead letters
    /// when they have used their attempts. Returns how many were recovered.
    @discardableResult
    public func recoverExpiredLeases() async throws -> Int {
        let now = Self.micros(self.now())
        return try await database.transaction { transaction in
            let sql = Self.sql(transaction)
            let rows = try await sql.raw(
                """
                UPDATE jobs SET
                    state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
                    finished_at = CASE WHEN attempts >= max_attempts THEN \(bind: now) ELSE NULL END,
                    last_error = 'the worker stopped before finishing (lease expired)',
                    worker_id = NULL, lease_expires_at = NULL
                WHERE state = 'running' AND lease_expires_at < \(bind: now)
                RETURNING id, attempts, started_at
                """
            ).all()
            for row in rows {
                try await Self.recordAttempt(
                    sql, jobID: try row.decode(column: "id", as: UUID.self),
                    attempt: try row.decode(column: "attempts", as: Int.self), workerID: nil,
                    startedAt: try row.decode(column: "started_at", as: Int64?.self), finishedAt: now,
                    error: "the worker stopped before finishing (lease expired)")
            }
            return rows.count
        }
    }

    /// Gives unfinished jobs back on shutdown, without counting the attempt.
    func release(workerID: String, jobIDs: [UUID]) async throws {
        guard !jobIDs.isEmpty else { return }
        try await Self.sql(database).raw(
            """
            UPDATE jobs SET state = 'queued', attempts = attempts - 1, worker_id = NULL, lease_expires_at = NULL
            WHERE worker_id = \(bind: workerID) AND state = 'running' AND id IN \(SQLGroupExpression(SQLList(jobIDs.map { SQLBind($0) })))
            """
        ).run()
    }

    func releaseUniqueKey(_ claim: JobClaim) async throws {
        try await Self.sql(database).raw(
            """
            UPDATE jobs SET unique_key = NULL
            WHERE id = \(bind: claim.id) AND worker_id = \(bind: claim.workerID) AND state = 'running'
            """
        ).run()
    }

    func reportProgress(_ claim: JobClaim, fraction: Double, message: String?) async throws {
        try await Self.sql(database).raw(
            """
            UPDATE jobs SET progress = \(bind: min(max(fraction, 0), 1)), progress_message = \(bind: message.map { String($0.prefix(200)) })
            WHERE id = \(bind: claim.id) AND worker_id = \(bind: claim.workerID) AND state = 'running'
            """
        ).run()
    }
}

/// A job leased to a worker.
struct ClaimedJob: Sendable, JobClaim {
    let id: UUID
    let kind: String
    let queue: QueueName
    let payload: String
    let priority: JobPriority
    let attempt: Int
    let maxAttempts: Int
    let organizationID: UUID?
    let workerID: String
    let enqueuedAt: Date
    let startedAt: Date
}

/// What identifies one run of a job: the job, the attempt and the worker holding it.
protocol JobClaim: Sendable {
    var id: UUID { get }
    var attempt: Int { get }
    var workerID: String { get }
    var priority: JobPriority { get }
    var startedAt: Date { get }
}

extension JobStore {
    static func micros(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
    }
}
