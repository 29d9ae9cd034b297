import FluentKit
import Foundation
@testable import Jobs
import Logging
import SQLKit
import Synchronization
import Testing

/// A job that does nothing; its label tells the claims apart.
struct LabelJob: JobHandler {
    struct Payload: Codable, Sendable { var label: String }
    static let kind = "test.label"
    static let queue: QueueName = .maintenance
    func run(_ payload: Payload, context: JobContext) async throws {}
}

/// Collects labels: several queued jobs run as one, and each run records what it did.
struct CollectingJob: MergeableJobHandler {
    struct Payload: Codable, Sendable { var labels: [String] }
    static let kind = "test.collect"
    static let queue: QueueName = "collect"
    static let mergeLimit = 50
    let runs: RunLog
    static func merge(_ first: Payload, _ next: Payload) -> Payload? { Payload(labels: first.labels + next.labels) }
    func run(_ payload: Payload, context: JobContext) async throws { runs.record(payload.labels) }
}

/// Fails its first attempt, then succeeds.
struct FlakyJob: JobHandler {
    struct Payload: Codable, Sendable {}
    static let kind = "test.flaky"
    static let queue: QueueName = "flaky"
    let runs: RunLog
    func run(_ payload: Payload, context: JobContext) async throws {
        runs.record(["attempt \(context.attempt)"])
        if context.attempt == 1 { throw FlakyError() }
    }
    struct FlakyError: Error {}
}

final class RunLog: Sendable {
    private let runs = Mutex<[[String]]>([])
    func record(_ labels: [String]) { runs.withLock { $0.append(labels) } }
    var all: [[String]] { runs.withLock { $0 } }
}

/// The job queue on its own tables, without the app: SQLite always, PostgreSQL under `TEST_DATABASE_URL`.
@Suite struct JobStoreTests {
    func job(_ label: String, priority: JobPriority = .normal, runAt: Date? = nil, uniqueKey: String? = nil) throws -> JobStore.NewJob {
        try .init(LabelJob.self, .init(label: label), priority: priority, runAt: runAt, uniqueKey: uniqueKey)
    }

    func labels(_ claimed: [ClaimedJob]) -> [String] {
        claimed.map { (try? JSONDecoder().decode(LabelJob.Payload.self, from: Data($0.payload.utf8)).label) ?? "?" }
    }

    func state(_ id: UUID?, _ store: JobStore) async throws -> JobSummary {
        let id = try #require(id)
        return try #require(try await store.find(id, organizationID: nil))
    }

    @Test("the migration keeps the name it was recorded under in the App module")
    func migrationName() {
        #expect(CreateJobs().name == "App.CreateJobs")
    }

    @Test("a claimed job is leased to its worker and leaves the queue until it is finished", arguments: Engine.available)
    func claimAndComplete(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            let id = try await store.enqueue(job("one"))
            let claimed = try await store.claim(queue: .maintenance, limit: 10, workerID: "w1", lease: .seconds(30))
            #expect(claimed.map(\.id) == [id])
            #expect(claimed.first?.attempt == 1)
            #expect(try await store.claim(queue: .maintenance, limit: 10, workerID: "w2", lease: .seconds(30)).isEmpty)
            #expect(try await state(id, store).state == .running)
            try await store.markSucceeded(claimed)
            let done = try await state(id, store)
            #expect(done.state == .succeeded)
            #expect(done.progress == 1)
        }
    }

    @Test("higher priorities run first when enqueued together", arguments: Engine.available)
    func priorities(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            try await store.enqueue([
                job("low", priority: .low), job("normal", priority: .normal),
                job("critical", priority: .critical), job("high", priority: .high),
            ])
            var sequence: [String] = []
            for _ in 0..<4 {
                sequence += labels(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)))
            }
            #expect(sequence == ["critical", "high", "normal", "low"])
        }
    }

    @Test("a low-priority job that has waited longer than its allowance beats a fresh critical one", arguments: Engine.available)
    func noStarvation(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            try await store.enqueue(job("old low", priority: .low))
            queue.clock.advance(by: 61)
            try await store.enqueue(job("fresh critical", priority: .critical))
            let first = try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30))
            #expect(labels(first) == ["old low"])
        }
    }

    @Test("a delayed job is not claimed before its time", arguments: Engine.available)
    func runAt(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            try await store.enqueue(job("later", runAt: queue.clock.now.addingTimeInterval(60)))
            #expect(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).isEmpty)
            queue.clock.advance(by: 60)
            #expect(labels(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30))) == ["later"])
        }
    }

    @Test("a job enqueued in a transaction exists only if the transaction commits", arguments: Engine.available)
    func transactionalEnqueue(_ engine: Engine) async throws {
        struct Rollback: Error {}
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            await #expect(throws: Rollback.self) {
                try await queue.db.transaction { transaction in
                    try await store.enqueue(job("rolled back"), on: transaction)
                    throw Rollback()
                }
            }
            #expect(try await store.counts().isEmpty)
            _ = try await queue.db.transaction { transaction in
                try await store.enqueue(job("committed"), on: transaction)
            }
            #expect(try await store.counts().first?.queued == 1)
        }
    }

    @Test("a unique key keeps the same work from being queued twice while it is pending", arguments: Engine.available)
    func uniqueness(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            let first = try await store.enqueue(job("a", uniqueKey: "sync:42"))
            let duplicate = try await store.enqueue(job("b", uniqueKey: "sync:42"))
            #expect(first != nil)
            #expect(duplicate == nil)
            let claimed = try await store.claim(queue: .maintenance, limit: 5, workerID: "w", lease: .seconds(30))
            #expect(try await store.enqueue(job("c", uniqueKey: "sync:42")) == nil, "still pending while running")
            try await store.markSucceeded(claimed)
            #expect(try await store.enqueue(job("d", uniqueKey: "sync:42")) != nil, "free again once finished")
        }
    }

    @Test("failures keep each attempt's error, back off, and end in the dead letters after the last attempt", arguments: Engine.available)
    func retriesAndDeadLetters(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            var new = try job("flaky")
            new.maxAttempts = 2
            let id = try await store.enqueue(new)

            var claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            try await store.markFailed(claim, error: "timeout talking to Meta", retryAt: queue.clock.now.addingTimeInterval(10))
            var summary = try await state(id, store)
            #expect(summary.state == .queued)
            #expect(summary.lastError == "timeout talking to Meta")
            #expect(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).isEmpty, "backing off")
            #expect(try await store.troubled().retrying.map(\.id) == [id])

            queue.clock.advance(by: 10)
            claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            #expect(claim.attempt == 2)
            try await store.markFailed(claim, error: "HTTP 500", retryAt: queue.clock.now.addingTimeInterval(20))
            summary = try await state(id, store)
            #expect(summary.state == .dead)
            #expect(try await store.attempts(of: try #require(id)).map(\.error) == ["timeout talking to Meta", "HTTP 500"])
            #expect(try await store.troubled().dead.map(\.id) == [id])

            #expect(try await store.retry(try #require(id)))
            summary = try await state(id, store)
            #expect(summary.state == .queued)
            #expect(summary.attempts == 0)
            #expect(try await store.discard(try #require(id)))
            #expect(try await store.find(try #require(id), organizationID: nil) == nil)
            #expect(try await store.attempts(of: try #require(id)).isEmpty)
        }
    }

    @Test("the backoff doubles with each attempt, with jitter, up to an hour")
    func backoff() async throws {
        try await QueueDatabase.run(.sqlite) { queue in
            let low = JobWorker(store: queue.store(), registry: JobRegistry(), wakeup: JobWakeup(), logger: Logger(label: "test"), random: { $0.lowerBound })
            let high = JobWorker(store: queue.store(), registry: JobRegistry(), wakeup: JobWakeup(), logger: Logger(label: "test"), random: { $0.upperBound })
            #expect(low.backoff(attempt: 1) == 1)
            #expect(high.backoff(attempt: 1) == 3)
            #expect(low.backoff(attempt: 4) == 8)
            #expect(high.backoff(attempt: 30) == 5400)
        }
    }

    @Test("a job whose worker vanished returns to the queue when its lease expires; the old worker can no longer complete it", arguments: Engine.available)
    func leaseExpiry(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            let id = try await store.enqueue(job("orphan"))
            let lost = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "dead-worker", lease: .seconds(5)).first)
            queue.clock.advance(by: 3)
            #expect(try await store.recoverExpiredLeases() == 0, "the lease still holds")
            queue.clock.advance(by: 3)
            #expect(try await store.recoverExpiredLeases() == 1)
            #expect(try await state(id, store).state == .queued)
            #expect(try await store.attempts(of: try #require(id)).first?.error.contains("lease expired") == true)

            let taken = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "new-worker", lease: .seconds(30)).first)
            #expect(taken.attempt == 2)
            await #expect(throws: JobError.leaseLost) { try await store.markSucceeded(lost, on: queue.db) }
            try await store.markSucceeded(taken, on: queue.db)
            #expect(try await state(id, store).state == .succeeded)
        }
    }

    @Test("progress is recorded for the people watching, and only the job's organization sees it", arguments: Engine.available)
    func progress(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            let organizationID = try await queue.addOrganization()
            var new = try job("import")
            new.organizationID = organizationID
            let id = try #require(try await store.enqueue(new))
            let claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            try await store.reportProgress(claim, fraction: 0.4, message: "400 of 1,000 contacts")
            let seen = try #require(try await store.find(id, organizationID: organizationID))
            #expect(seen.progress == 0.4)
            #expect(seen.progressMessage == "400 of 1,000 contacts")
            #expect(try await store.find(id, organizationID: UUID()) == nil, "another organization does not see it")
        }
    }

    @Test("a live worker's renewed lease outlasts the original; jobs given back at shutdown keep their attempts", arguments: Engine.available)
    func renewAndRelease(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            let id = try #require(try await store.enqueue(job("long")))
            let claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(5)).first)
            queue.clock.advance(by: 4)
            try await store.renewLeases(workerID: "w", jobIDs: [id], lease: .seconds(5))
            queue.clock.advance(by: 4)
            #expect(try await store.recoverExpiredLeases() == 0, "renewed at 4 s for 5 s more")
            try await store.renewLeases(workerID: "someone else", jobIDs: [id], lease: .seconds(60))
            queue.clock.advance(by: 2)
            #expect(try await store.recoverExpiredLeases() == 1, "another worker cannot renew it")

            let again = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w2", lease: .seconds(30)).first)
            #expect(again.attempt == claim.attempt + 1)
            try await store.release(workerID: "w2", jobIDs: [id])
            let released = try await state(id, store)
            #expect(released.state == .queued)
            #expect(released.attempts == 1, "the released attempt does not count")
        }
    }

    @Test("a running job can free its unique key so the next one may queue while it finishes", arguments: Engine.available)
    func releaseUniqueKey(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            try await store.enqueue(job("sync", uniqueKey: "sync:7"))
            let claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            #expect(try await store.enqueue(job("next", uniqueKey: "sync:7")) == nil)
            try await store.releaseUniqueKey(claim)
            #expect(try await store.enqueue(job("next", uniqueKey: "sync:7")) != nil)
        }
    }

    @Test("succeeded jobs older than the cutoff are pruned with their attempts; others stay", arguments: Engine.available)
    func prune(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            let old = try #require(try await store.enqueue(job("old")))
            var claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            try await store.markFailed(claim, error: "once", retryAt: queue.clock.now)
            claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            try await store.markSucceeded([claim])
            queue.clock.advance(by: 3600)
            let recent = try #require(try await store.enqueue(job("recent")))
            try await store.markSucceeded(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)))
            let waiting = try #require(try await store.enqueue(job("waiting")))

            #expect(try await store.pruneSucceeded(finishedBefore: queue.clock.now.addingTimeInterval(-60)) == 1)
            #expect(try await store.find(old, organizationID: nil) == nil)
            #expect(try await store.attempts(of: old).isEmpty)
            #expect(try await store.find(recent, organizationID: nil)?.state == .succeeded)
            #expect(try await store.find(waiting, organizationID: nil)?.state == .queued)
        }
    }

    @Test("a worker merges a backlog of mergeable jobs into one run, and retries a failed job until it succeeds", arguments: Engine.available)
    func workerMergesAndRetries(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let wakeup = JobWakeup()
            let store = JobStore(database: queue.db, wakeup: wakeup)
            let runs = RunLog()
            let collected = try await store.enqueue((1...5).map { try JobStore.NewJob(CollectingJob.self, .init(labels: ["\($0)"])) })
            let flaky = try #require(try await store.enqueue(try JobStore.NewJob(FlakyJob.self, .init())))
            var registry = JobRegistry()
            registry.register(CollectingJob(runs: runs))
            registry.register(FlakyJob(runs: runs))
            var configuration = JobWorker.Configuration()
            configuration.queues = [CollectingJob.queue, FlakyJob.queue]
            // The retry comes after the smallest backoff (random: its lower bound, 1 s).
            let worker = JobWorker(
                store: store, registry: registry, configuration: configuration, wakeup: wakeup,
                logger: Logger(label: "test"), random: { $0.lowerBound })
            let running = Task { await worker.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            var done = false
            while !done, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                done = try await store.counts().reduce(0) { $0 + $1.succeeded } == collected.count + 1
            }
            worker.stop()
            await running.value
            #expect(done)
            let collectedRuns = runs.all.filter { !$0.contains { $0.hasPrefix("attempt") } }
            #expect(collectedRuns.count == 1, "five queued jobs, one merged run: \(collectedRuns)")
            #expect(Set(collectedRuns.flatMap { $0 }) == ["1", "2", "3", "4", "5"])
            #expect(runs.all.filter { $0.contains { $0.hasPrefix("attempt") } } == [["attempt 1"], ["attempt 2"]])
            #expect(try await store.attempts(of: flaky).count == 1, "the failed attempt is on record")
        }
    }

    @Test("a worker runs what is queued and records it as succeeded", arguments: Engine.available)
    func workerRuns(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let wakeup = JobWakeup()
            let store = JobStore(database: queue.db, wakeup: wakeup)
            var registry = JobRegistry()
            registry.register(LabelJob())
            var configuration = JobWorker.Configuration()
            configuration.queues = [.maintenance]
            let worker = JobWorker(store: store, registry: registry, configuration: configuration, wakeup: wakeup, logger: Logger(label: "test"))
            let running = Task { await worker.run() }
            let ids = try await store.enqueue([job("a"), job("b"), job("c")]).compactMap { $0 }
            let deadline = ContinuousClock.now + .seconds(20)
            var succeeded = 0
            while succeeded < ids.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                succeeded = try await store.counts().first?.succeeded ?? 0
            }
            worker.stop()
            await running.value
            #expect(succeeded == 3)
        }
    }
}

@Suite struct JobSchedulerTests {
    @Test("two processes ticking at once fire a schedule once per tick", arguments: Engine.available)
    func oncePerTick(_ engine: Engine) async throws {
        try await QueueDatabase.run(engine) { queue in
            let store = queue.store()
            let schedule = JobSchedule(name: "every-5-minutes", cron: try CronExpression("*/5 * * * *")) { tick in
                try .init(LabelJob.self, .init(label: "tick \(Int(tick.timeIntervalSince1970))"))
            }
            let first = JobScheduler(store: store, schedules: [schedule], logger: Logger(label: "a"))
            let second = JobScheduler(store: store, schedules: [schedule], logger: Logger(label: "b"))
            async let a = first.tick()
            async let b = second.tick()
            let fired = try await a + b
            #expect(fired == ["every-5-minutes"])
            #expect(try await first.tick().isEmpty, "same tick: nothing more")

            // Finish the pending run so the next tick is not held back by its unique key.
            let claimed = try await store.claim(queue: .maintenance, limit: 10, workerID: "w", lease: .seconds(30))
            try await store.markSucceeded(claimed)
            queue.clock.advance(by: 5 * 60)
            #expect(try await second.tick() == ["every-5-minutes"])
            #expect(try await first.tick().isEmpty)
            #expect(try await store.counts().first.map { $0.queued + $0.succeeded } == 2)
        }
    }
}
