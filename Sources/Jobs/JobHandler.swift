import FluentKit
import Foundation
import Logging

/// The code that runs one kind of job. Register each handler with the `JobRegistry`.
public protocol JobHandler: Sendable {
    associatedtype Payload: Codable & Sendable

    /// A stable name stored with each job, e.g. `"email.send"`.
    static var kind: String { get }
    static var queue: QueueName { get }
    /// Attempts before the job goes to the dead letters. Default 5.
    static var maxAttempts: Int { get }
    /// How long one run may take before it counts as failed (and is retried). Default 5 minutes.
    static var timeLimit: Duration { get }

    /// Runs the job. Throwing schedules a retry with backoff (or dead-letters it after the last attempt).
    /// Writes that must happen exactly once belong in `context.complete { database in ... }`.
    func run(_ payload: Payload, context: JobContext) async throws
}

extension JobHandler {
    public static var maxAttempts: Int { 5 }
    public static var timeLimit: Duration { .seconds(300) }
}

/// A handler whose queued jobs may run several as one: a worker that claims many of them merges
/// their payloads, runs the merged one once, then settles every job it took (each succeeds, or
/// each is retried with its own backoff). For work whose cost is mostly per run (a transaction,
/// a batch of statements), so a backlog is worked off in fewer, bigger runs.
public protocol MergeableJobHandler: JobHandler {
    /// The most jobs one run takes.
    static var mergeLimit: Int { get }
    /// A payload that does the work of both, or `nil` when they must run apart.
    static func merge(_ first: Payload, _ next: Payload) -> Payload?
}

/// What a running job can see and do.
public struct JobContext: Sendable {
    public let jobID: UUID
    public let attempt: Int
    public let organizationID: UUID?
    public let logger: Logger
    /// The app's database, outside any transaction: use it for reads and for work that may repeat.
    public let database: any Database
    let claim: JobClaim
    /// The other jobs of a merged run.
    let merged: [JobClaim]
    let store: JobStore
    let completion: CompletionFlag

    init(
        jobID: UUID, attempt: Int, organizationID: UUID?, logger: Logger, database: any Database,
        claim: JobClaim, merged: [JobClaim] = [], store: JobStore, completion: CompletionFlag
    ) {
        self.jobID = jobID
        self.attempt = attempt
        self.organizationID = organizationID
        self.logger = logger
        self.database = database
        self.claim = claim
        self.merged = merged
        self.store = store
        self.completion = completion
    }

    /// Records progress (0...1) and a short message, for the people watching long work.
    public func progress(_ fraction: Double, _ message: String? = nil) async throws {
        try await store.reportProgress(claim, fraction: fraction, message: message)
    }

    /// Lets another job with this job's unique key be queued while this one runs. For work that
    /// must also see what arrives after it started: the key then only merges the jobs that wait.
    public func releaseUniqueKey() async throws {
        try await store.releaseUniqueKey(claim)
    }

    /// Runs `writes` and marks the job (every job of a merged run) succeeded in one transaction, so
    /// a job whose writes were committed is never run again. Throws `JobError.leaseLost` (and rolls
    /// back) when another worker has taken a job over in the meantime.
    public func complete(_ writes: @escaping @Sendable (any Database) async throws -> Void) async throws {
        let claims = [claim] + merged
        try await database.transaction { transaction in
            try await writes(transaction)
            for claim in claims { try await store.markSucceeded(claim, on: transaction) }
        }
        completion.set()
    }
}

public enum JobError: Error, Equatable, CustomStringConvertible {
    /// The job's lease expired and it was handed to another worker; this run's result is dropped.
    case leaseLost
    case unknownKind(String)
    case undecodablePayload(String)
    /// The run took longer than its kind's `timeLimit`.
    case timedOut(Duration)
    /// Thrown by a handler that knows no later attempt can succeed (a provider refused for good):
    /// the job goes straight to the dead letters with this reason, where an operator sees it.
    case permanent(String)

    /// Unknown kinds, undecodable payloads and permanent refusals fail the same way on every attempt.
    var canNeverSucceed: Bool {
        switch self {
        case .unknownKind, .undecodablePayload, .permanent: true
        case .leaseLost, .timedOut: false
        }
    }

    public var description: String {
        switch self {
        case .leaseLost: "the job's lease was lost to another worker"
        case .unknownKind(let kind): "no handler is registered for job kind \"\(kind)\""
        case .undecodablePayload(let reason): "the payload cannot be decoded: \(reason)"
        case .timedOut(let limit): "the run took longer than its time limit of \(limit)"
        case .permanent(let reason): reason
        }
    }
}

/// Set once a handler has completed its job inside its own transaction.
final class CompletionFlag: Sendable {
    private let storage = LockedBool()
    func set() { storage.set() }
    var isSet: Bool { storage.value }
}

/// The handlers a worker knows, by kind.
public struct JobRegistry: Sendable {
    struct Entry: Sendable {
        let queue: QueueName
        let maxAttempts: Int
        let timeLimit: Duration
        let run: @Sendable (String, JobContext) async throws -> Void
        /// For mergeable kinds: the most jobs a run takes, and how encoded payloads (in claim
        /// order) form runs: the indices of each run's jobs and its merged payload.
        var mergeLimit = 1
        var merge: (@Sendable ([String]) -> [(jobs: [Int], payload: String)])?
    }

    private(set) var entries: [String: Entry] = [:]

    public init() {}

    public mutating func register<H: JobHandler>(_ handler: H) {
        entries[H.kind] = Self.entry(handler)
    }

    public mutating func register<H: MergeableJobHandler>(_ handler: H) {
        var entry = Self.entry(handler)
        entry.mergeLimit = max(1, H.mergeLimit)
        entry.merge = { payloads in
            // Each job joins the first run with room whose payload merges with its own.
            var runs: [(jobs: [Int], payload: H.Payload?, encoded: String)] = []
            for (index, encoded) in payloads.enumerated() {
                let payload = try? JSONDecoder().decode(H.Payload.self, from: Data(encoded.utf8))
                if let payload,
                    let run = runs.firstIndex(where: { $0.payload != nil && $0.jobs.count < H.mergeLimit }),
                    let merged = H.merge(runs[run].payload!, payload)
                {
                    runs[run].jobs.append(index)
                    runs[run].payload = merged
                } else {
                    // Undecodable payloads run alone, to fail as they would have.
                    runs.append(([index], payload, encoded))
                }
            }
            return runs.map { run in
                guard run.jobs.count > 1, let payload = run.payload, let encoded = try? JSONEncoder().encode(payload) else {
                    return (run.jobs, run.encoded)
                }
                return (run.jobs, String(decoding: encoded, as: UTF8.self))
            }
        }
        entries[H.kind] = entry
    }

    private static func entry<H: JobHandler>(_ handler: H) -> Entry {
        Entry(queue: H.queue, maxAttempts: H.maxAttempts, timeLimit: H.timeLimit) { payload, context in
            let decoded: H.Payload
            do {
                decoded = try JSONDecoder().decode(H.Payload.self, from: Data(payload.utf8))
            } catch {
                throw JobError.undecodablePayload(String(describing: error))
            }
            try await handler.run(decoded, context: context)
        }
    }

    func entry(for kind: String) -> Entry? { entries[kind] }

    /// How many jobs of `queue` one run may take: its handlers' largest merge limit.
    func mergeLimit(of queue: QueueName) -> Int {
        entries.values.filter { $0.queue == queue }.map(\.mergeLimit).max() ?? 1
    }

    /// The queue and attempt limit of a registered kind, for enqueuing by name.
    public func queue(of kind: String) -> (queue: QueueName, maxAttempts: Int)? {
        entries[kind].map { ($0.queue, $0.maxAttempts) }
    }

    public var kinds: [String] { entries.keys.sorted() }

    /// Queues that have at least one handler.
    public var queues: Set<QueueName> { Set(entries.values.map(\.queue)) }
}
