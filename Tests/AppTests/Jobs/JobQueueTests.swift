@testable import App
import Fluent
import Foundation
@testable import Jobs
import Logging
import SQLKit
import Testing

/// The job queue on the app's real database (SQLite here, PostgreSQL under `TEST_DATABASE_URL`).
@Suite struct JobQueueTests {
    func store(_ app: TestApp) -> JobStore { JobStore(database: app.db, now: { app.clock.now }) }

    func job(_ label: String, priority: JobPriority = .normal, runAt: Date? = nil, uniqueKey: String? = nil, failAttempts: Int = 0) throws -> JobStore.NewJob {
        try .init(DiagnosticsJob.self, .init(label: label, failAttempts: failAttempts), priority: priority, runAt: runAt, uniqueKey: uniqueKey)
    }

    func labels(_ claimed: [ClaimedJob]) -> [String] {
        claimed.map { (try? JSONDecoder().decode(DiagnosticsJob.Payload.self, from: Data($0.payload.utf8)).label) ?? "?" }
    }

    func state(_ id: UUID?, _ app: TestApp) async throws -> JobSummary {
        let id = try #require(id)
        return try #require(try await store(app).find(id, organizationID: nil))
    }

    @Test("a claimed job is leased to its worker and leaves the queue until it is finished")
    func claimAndComplete() async throws {
        try await TestApp.run { app in
            let store = store(app)
            let id = try await store.enqueue(job("one"))
            let claimed = try await store.claim(queue: .maintenance, limit: 10, workerID: "w1", lease: .seconds(30))
            #expect(claimed.map(\.id) == [id])
            #expect(claimed.first?.attempt == 1)
            #expect(try await store.claim(queue: .maintenance, limit: 10, workerID: "w2", lease: .seconds(30)).isEmpty)
            #expect(try await state(id, app).state == .running)
            try await store.markSucceeded(claimed)
            let done = try await state(id, app)
            #expect(done.state == .succeeded)
            #expect(done.progress == 1)
        }
    }

    @Test("higher priorities run first when enqueued together")
    func priorities() async throws {
        try await TestApp.run { app in
            let store = store(app)
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

    @Test("a low-priority job that has waited longer than its allowance beats a fresh critical one")
    func noStarvation() async throws {
        try await TestApp.run { app in
            let store = store(app)
            try await store.enqueue(job("old low", priority: .low))
            app.clock.advance(by: 61)
            try await store.enqueue(job("fresh critical", priority: .critical))
            let first = try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30))
            #expect(labels(first) == ["old low"])
        }
    }

    @Test("a delayed job is not claimed before its time")
    func runAt() async throws {
        try await TestApp.run { app in
            let store = store(app)
            try await store.enqueue(job("later", runAt: app.clock.now.addingTimeInterval(60)))
            #expect(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).isEmpty)
            app.clock.advance(by: 60)
            #expect(labels(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30))) == ["later"])
        }
    }

    @Test("a job enqueued in a transaction exists only if the transaction commits")
    func transactionalEnqueue() async throws {
        struct Rollback: Error {}
        try await TestApp.run { app in
            let store = store(app)
            await #expect(throws: Rollback.self) {
                try await app.db.transaction { transaction in
                    try await store.enqueue(job("rolled back"), on: transaction)
                    try await Organization(name: "Rolled back BV", createdAt: app.clock.now).create(on: transaction)
                    throw Rollback()
                }
            }
            #expect(try await store.counts().isEmpty)
            #expect(try await Organization.query(on: app.db).count() == 0)
            try await app.db.transaction { transaction in
                try await store.enqueue(job("committed"), on: transaction)
                try await Organization(name: "Committed BV", createdAt: app.clock.now).create(on: transaction)
            }
            #expect(try await store.counts().first?.queued == 1)
        }
    }

    @Test("a unique key keeps the same work from being queued twice while it is pending")
    func uniqueness() async throws {
        try await TestApp.run { app in
            let store = store(app)
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

    @Test("failures keep each attempt's error, back off, and end in the dead letters after the last attempt")
    func retriesAndDeadLetters() async throws {
        try await TestApp.run { app in
            let store = store(app)
            var new = try job("flaky")
            new.maxAttempts = 2
            let id = try await store.enqueue(new)

            var claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            try await store.markFailed(claim, error: "timeout talking to Meta", retryAt: app.clock.now.addingTimeInterval(10))
            var summary = try await state(id, app)
            #expect(summary.state == .queued)
            #expect(summary.lastError == "timeout talking to Meta")
            #expect(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).isEmpty, "backing off")
            #expect(try await store.troubled().retrying.map(\.id) == [id])

            app.clock.advance(by: 10)
            claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            #expect(claim.attempt == 2)
            try await store.markFailed(claim, error: "HTTP 500", retryAt: app.clock.now.addingTimeInterval(20))
            summary = try await state(id, app)
            #expect(summary.state == .dead)
            #expect(try await store.attempts(of: try #require(id)).map(\.error) == ["timeout talking to Meta", "HTTP 500"])
            #expect(try await store.troubled().dead.map(\.id) == [id])

            #expect(try await store.retry(try #require(id)))
            summary = try await state(id, app)
            #expect(summary.state == .queued)
            #expect(summary.attempts == 0)
            #expect(try await store.discard(try #require(id)))
            #expect(try await store.find(try #require(id), organizationID: nil) == nil)
            #expect(try await store.attempts(of: try #require(id)).isEmpty)
        }
    }

    @Test("the backoff doubles with each attempt, with jitter, up to an hour")
    func backoff() async throws {
        try await TestApp.run { app in
            let low = JobWorker(store: store(app), registry: JobRegistry(), wakeup: JobWakeup(), logger: Logger(label: "test"), random: { $0.lowerBound })
            let high = JobWorker(store: store(app), registry: JobRegistry(), wakeup: JobWakeup(), logger: Logger(label: "test"), random: { $0.upperBound })
            #expect(low.backoff(attempt: 1) == 1)
            #expect(high.backoff(attempt: 1) == 3)
            #expect(low.backoff(attempt: 4) == 8)
            #expect(high.backoff(attempt: 30) == 5400)
        }
    }

    @Test("a job whose worker vanished returns to the queue when its lease expires; the old worker can no longer complete it")
    func leaseExpiry() async throws {
        try await TestApp.run { app in
            let store = store(app)
            let id = try await store.enqueue(job("orphan"))
            let lost = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "dead-worker", lease: .seconds(5)).first)
            app.clock.advance(by: 3)
            #expect(try await store.recoverExpiredLeases() == 0, "the lease still holds")
            app.clock.advance(by: 3)
            #expect(try await store.recoverExpiredLeases() == 1)
            #expect(try await state(id, app).state == .queued)
            #expect(try await store.attempts(of: try #require(id)).first?.error.contains("lease expired") == true)

            let taken = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "new-worker", lease: .seconds(30)).first)
            #expect(taken.attempt == 2)
            await #expect(throws: JobError.leaseLost) { try await store.markSucceeded(lost, on: app.db) }
            try await store.markSucceeded(taken, on: app.db)
            #expect(try await state(id, app).state == .succeeded)
        }
    }

    @Test("a handler's writes and the job's completion commit together, or not at all")
    func transactionalCompletion() async throws {
        try await TestApp.run { app in
            let store = store(app)
            let id = try #require(try await store.enqueue(job("exactly once")))
            let stale = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "slow", lease: .seconds(1)).first)
            app.clock.advance(by: 2)
            try await store.recoverExpiredLeases()
            let fresh = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "fast", lease: .seconds(30)).first)

            func context(_ claim: ClaimedJob) -> JobContext {
                JobContext(jobID: claim.id, attempt: claim.attempt, organizationID: nil, logger: Logger(label: "test"),
                           database: app.db, claim: claim, store: store, completion: CompletionFlag())
            }
            try await DiagnosticsJob().run(.init(label: "fresh"), context: context(fresh))
            await #expect(throws: JobError.leaseLost) { try await DiagnosticsJob().run(.init(label: "stale"), context: context(stale)) }

            let rows = try await (app.db as! any SQLDatabase).raw("SELECT label FROM job_diagnostics WHERE job_id = \(bind: id)").all()
            #expect(try rows.map { try $0.decode(column: "label", as: String.self) } == ["fresh"], "the stale run's write was rolled back")
            #expect(try await state(id, app).state == .succeeded)
        }
    }

    @Test("progress is recorded for the people watching")
    func progress() async throws {
        try await TestApp.run { app in
            let store = store(app)
            let organization = Organization(name: "Importers BV", createdAt: app.clock.now)
            try await organization.create(on: app.db)
            var new = try job("import")
            new.organizationID = organization.id
            let id = try #require(try await store.enqueue(new))
            let claim = try #require(try await store.claim(queue: .maintenance, limit: 1, workerID: "w", lease: .seconds(30)).first)
            try await store.reportProgress(claim, fraction: 0.4, message: "400 of 1,000 contacts")
            let seen = try #require(try await store.find(id, organizationID: organization.id))
            #expect(seen.progress == 0.4)
            #expect(seen.progressMessage == "400 of 1,000 contacts")
            #expect(try await store.find(id, organizationID: UUID()) == nil, "another organization does not see it")
        }
    }
}

@Suite struct JobSchedulerTests {
    @Test("two processes ticking at once fire a schedule once per tick")
    func oncePerTick() async throws {
        try await TestApp.run { app in
            let store = JobStore(database: app.db, now: { app.clock.now })
            let schedule = JobSchedule(name: "every-5-minutes", cron: try CronExpression("*/5 * * * *")) { tick in
                try .init(DiagnosticsJob.self, .init(label: "tick \(Int(tick.timeIntervalSince1970))"))
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
            app.clock.advance(by: 5 * 60)
            #expect(try await second.tick() == ["every-5-minutes"])
            #expect(try await first.tick().isEmpty)
            #expect(try await store.counts().first.map { $0.queued + $0.succeeded } == 2)
        }
    }
}
