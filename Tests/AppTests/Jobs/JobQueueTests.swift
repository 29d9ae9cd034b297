@testable import App
import Fluent
import Foundation
@testable import Jobs
import Logging
import SQLKit
import Testing

/// The job queue inside the app: enqueueing in the app's transactions and a handler's exactly-once writes. The
/// queue on its own (claims, priorities, retries, leases, unique keys, the scheduler) is tested in JobsTests.
@Suite struct JobQueueTests {
    func store(_ app: TestApp) -> JobStore { JobStore(database: app.db, now: { app.clock.now }) }

    func job(_ label: String, priority: JobPriority = .normal, runAt: Date? = nil, uniqueKey: String? = nil, failAttempts: Int = 0) throws -> JobStore.NewJob {
        try .init(DiagnosticsJob.self, .init(label: label, failAttempts: failAttempts), priority: priority, runAt: runAt, uniqueKey: uniqueKey)
    }

    func state(_ id: UUID?, _ app: TestApp) async throws -> JobSummary {
        let id = try #require(id)
        return try #require(try await store(app).find(id, organizationID: nil))
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
                JobContext(
                    jobID: claim.id, attempt: claim.attempt, organizationID: nil, logger: Logger(label: "test"),
                    database: app.db, claim: claim, store: store, completion: CompletionFlag())
            }
            try await DiagnosticsJob().run(.init(label: "fresh"), context: context(fresh))
            await #expect(throws: JobError.leaseLost) { try await DiagnosticsJob().run(.init(label: "stale"), context: context(stale)) }

            let rows = try await (app.db as! any SQLDatabase).raw("SELECT label FROM job_diagnostics WHERE job_id = \(bind: id)").all()
            #expect(try rows.map { try $0.decode(column: "label", as: String.self) } == ["fresh"], "the stale run's write was rolled back")
            #expect(try await state(id, app).state == .succeeded)
        }
    }
}
