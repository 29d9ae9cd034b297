@testable import App
import Fluent
import Dispatch
import Foundation
@testable import Jobs
import Logging
import SQLKit
import Synchronization
import Testing

/// Counts how many of its jobs run at once, and how many ran in all.
final class ConcurrencyProbe: Sendable {
    private let state = Mutex((current: 0, peak: 0, total: 0))
    func enter() {
        state.withLock {
            $0.current += 1; $0.peak = max($0.peak, $0.current); $0.total += 1
        }
    }
    func leave() { state.withLock { $0.current -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
    var total: Int { state.withLock { $0.total } }
}

struct ProbeJob: JobHandler {
    struct Payload: Codable, Sendable { var milliseconds: Int }
    static let kind = "test.probe"
    static let queue: QueueName = "test-probe"
    let probe: ConcurrencyProbe

    func run(_ payload: Payload, context: JobContext) async throws {
        probe.enter()
        defer { probe.leave() }
        try await Task.sleep(for: .milliseconds(payload.milliseconds))
    }
}

/// Lets go of its unique key, then waits until told to finish.
struct KeyReleasingJob: JobHandler {
    struct Payload: Codable, Sendable {}
    static let kind = "test.release-key"
    static let queue: QueueName = "test-release-key"
    let started: LockedFlag
    let finish: LockedFlag

    func run(_ payload: Payload, context: JobContext) async throws {
        try await context.releaseUniqueKey()
        started.set()
        while !finish.value { try await Task.sleep(for: .milliseconds(10)) }
    }
}

final class LockedFlag: Sendable {
    private let storage = Mutex(false)
    func set() { storage.withLock { $0 = true } }
    var value: Bool { storage.withLock { $0 } }
}

/// A run that hangs and ignores cancellation, as one stuck on a lost network reply would.
struct HangingJob: JobHandler {
    struct Payload: Codable, Sendable {}
    static let kind = "test.hang"
    static let queue: QueueName = "test-hang"
    static let maxAttempts = 2
    static let timeLimit: Duration = .milliseconds(200)

    func run(_ payload: Payload, context: JobContext) async throws {
        // Suspends for 5 s whatever happens: cancellation does not end it.
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { continuation.resume() }
        }
    }
}

final class RunRecorder: Sendable {
    private let storage = Mutex<[[String]]>([])
    func record(_ labels: [String]) { storage.withLock { $0.append(labels) } }
    var runs: [[String]] { storage.withLock { $0 } }
}

/// Records what each run was given; merges jobs of the same group, four at most. A run whose
/// labels include "boom" fails its first attempt.
struct MergingJob: MergeableJobHandler {
    struct Payload: Codable, Sendable {
        var labels: [String]
        var group: Int
    }
    static let kind = "test.merging"
    static let queue: QueueName = "test-merging"
    static let mergeLimit = 4
    let recorder: RunRecorder

    static func merge(_ first: Payload, _ next: Payload) -> Payload? {
        first.group == next.group ? Payload(labels: first.labels + next.labels, group: first.group) : nil
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        recorder.record(payload.labels)
        if payload.labels.contains("boom"), context.attempt == 1 { throw CancellationError() }
    }
}

/// A plain job in the queue of `MergingJob`: claims there take several jobs per slot.
struct PlainJobBesideMerging: JobHandler {
    struct Payload: Codable, Sendable {}
    static let kind = "test.plain-beside-merging"
    static let queue: QueueName = MergingJob.queue
    let probe: ConcurrencyProbe

    func run(_ payload: Payload, context: JobContext) async throws {
        probe.enter()
        defer { probe.leave() }
        try await Task.sleep(for: .milliseconds(20))
    }
}

@Suite struct JobWorkerTests {
    func waitUntil(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { Issue.record("timed out"); return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A worker on the test database with the given handlers, running until `stop()`.
    struct RunningWorker {
        let worker: JobWorker
        let store: JobStore
        let task: Task<Void, Never>

        func stop() async {
            worker.stop()
            await task.value
        }
    }

    func startWorker(
        _ app: TestApp, handlers register: (inout JobRegistry) -> Void,
        random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) },
        configure: (inout JobWorker.Configuration) -> Void = { _ in }
    ) -> RunningWorker {
        let wakeup = JobWakeup()
        let store = JobStore(database: app.db, wakeup: wakeup)
        var registry = JobRegistry()
        register(&registry)
        var configuration = JobWorker.Configuration()
        configure(&configuration)
        let worker = JobWorker(store: store, registry: registry, configuration: configuration, wakeup: wakeup, logger: Logger(label: "test"), random: random)
        return RunningWorker(worker: worker, store: store, task: Task { await worker.run() })
    }

    func diagnosticsRows(_ app: TestApp) async throws -> (rows: Int, distinct: Int) {
        let row = try #require(try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n, COUNT(DISTINCT job_id) AS d FROM job_diagnostics").first())
        return (try row.decode(column: "n", as: Int.self), try row.decode(column: "d", as: Int.self))
    }

    @Test("a worker runs every job once, retries failures, and dead-letters what can never run")
    func endToEnd() async throws {
        try await TestApp.run { app in
            // Retries at once.
            let running = startWorker(app, handlers: { $0.register(DiagnosticsJob()) }, random: { _ in 0.001 }, configure: { $0.defaultConcurrency = 16 })
            let store = running.store

            try await store.enqueue((0..<300).map { try .init(DiagnosticsJob.self, .init(label: "job \($0)")) })
            try await store.enqueue(.init(DiagnosticsJob.self, .init(label: "flaky", failAttempts: 2)))
            let undecodable = try await store.enqueue(.init(kind: DiagnosticsJob.kind, queue: .maintenance, payload: #"{"sleepMilliseconds":"soon"}"#))
            let unknown = try await store.enqueue(.init(kind: "no.such.kind", queue: .maintenance, payload: "{}"))

            try await waitUntil { try await store.counts().first.map { $0.succeeded == 301 && $0.dead == 2 } ?? false }
            await running.stop()

            let counts = try await diagnosticsRows(app)
            #expect(counts.rows == 301)
            #expect(counts.distinct == 301)
            let dead = try await store.troubled().dead
            #expect(Set(dead.map(\.id)) == Set([undecodable, unknown].compactMap { $0 }))
            #expect(dead.first { $0.id == unknown }?.lastError?.contains("no handler") == true)
            #expect(dead.first { $0.id == undecodable }?.lastError?.contains("cannot be decoded") == true)
            #expect(dead.allSatisfy { $0.attempts == 1 }, "no retries for jobs that can never run")
        }
    }

    @Test("a running job that lets go of its unique key lets one more with the key wait, and only one")
    func releasedUniqueKey() async throws {
        try await TestApp.run { app in
            let started = LockedFlag(), finish = LockedFlag()
            // One at a time, so the second job waits while the first runs.
            let running = startWorker(
                app, handlers: { $0.register(KeyReleasingJob(started: started, finish: finish)) }, configure: { $0.defaultConcurrency = 1 })
            let store = running.store
            let first = try #require(try await store.enqueue(.init(KeyReleasingJob.self, .init(), uniqueKey: "round")))
            try await waitUntil { started.value }
            let second = try await store.enqueue(.init(KeyReleasingJob.self, .init(), uniqueKey: "round"))
            #expect(second != nil, "the running one let go of the key")
            #expect(try await store.enqueue(.init(KeyReleasingJob.self, .init(), uniqueKey: "round")) == nil, "the waiting one holds it")
            finish.set()
            try await waitUntil { try await store.find(second!, organizationID: nil)?.state == .succeeded }
            await running.stop()
            #expect(try await store.find(first, organizationID: nil)?.state == .succeeded)
        }
    }

    @Test("a run that outlasts its time limit counts as a failed attempt instead of holding the job forever")
    func timeLimit() async throws {
        try await TestApp.run { app in
            let running = startWorker(app, handlers: { $0.register(HangingJob()) }, random: { _ in 0.001 })
            let id = try #require(try await running.store.enqueue(.init(HangingJob.self, .init())))
            try await waitUntil(timeout: .seconds(10)) { try await running.store.find(id, organizationID: nil)?.state == .dead }
            await running.stop()
            let attempts = try await running.store.attempts(of: id)
            #expect(attempts.count == 2)
            #expect(attempts.allSatisfy { $0.error.contains("time limit") })
        }
    }

    @Test("queued jobs of a mergeable kind run merged, within its limit and only as it allows, and each job succeeds")
    func mergedRuns() async throws {
        try await TestApp.run { app in
            let store = JobStore(database: app.db)
            let ids = try await store.enqueue(
                (0..<10).map { try .init(MergingJob.self, .init(labels: ["a\($0)"], group: 0)) }
                    + (0..<3).map { try .init(MergingJob.self, .init(labels: ["b\($0)"], group: 1)) })
            let handler = MergingJob(recorder: RunRecorder())
            let running = startWorker(app, handlers: { $0.register(handler) }, configure: { $0.defaultConcurrency = 2 })
            try await waitUntil { try await store.counts().first { $0.queue == MergingJob.queue.rawValue }?.succeeded == 13 }
            await running.stop()

            let runs = handler.recorder.runs
            let labels = runs.flatMap { $0 }
            #expect(labels.sorted() == ((0..<10).map { "a\($0)" } + (0..<3).map { "b\($0)" }).sorted(), "every job's work done exactly once")
            #expect(runs.allSatisfy { $0.count <= MergingJob.mergeLimit })
            #expect(runs.allSatisfy { run in run.allSatisfy { $0.first == run[0].first } }, "groups never mix")
            #expect(runs.count < 13, "a backlog runs merged: \(runs)")
            for id in ids.compactMap({ $0 }) {
                #expect(try await store.find(id, organizationID: nil)?.state == .succeeded)
            }
        }
    }

    @Test("when a merged run fails, each of its jobs is retried on its own schedule and none is lost")
    func mergedRunFails() async throws {
        try await TestApp.run { app in
            let store = JobStore(database: app.db)
            let ids = try await store.enqueue(["x", "boom", "y"].map { try .init(MergingJob.self, .init(labels: [$0], group: 0)) })
            let handler = MergingJob(recorder: RunRecorder())
            let running = startWorker(app, handlers: { $0.register(handler) }, random: { _ in 0.001 }, configure: { $0.defaultConcurrency = 1 })
            try await waitUntil { try await store.counts().first { $0.queue == MergingJob.queue.rawValue }?.succeeded == 3 }
            await running.stop()

            let runs = handler.recorder.runs
            #expect(runs.first?.sorted() == ["boom", "x", "y"], "the three were merged into one run")
            for id in ids.compactMap({ $0 }) {
                #expect(try await store.attempts(of: id).count == 1, "each job records the failed attempt of the merged run")
                #expect(try await store.find(id, organizationID: nil)?.state == .succeeded)
            }
        }
    }

    @Test("in a queue with a mergeable kind, plain jobs claimed beyond the free slots go back without counting an attempt")
    func claimedBeyondSlots() async throws {
        try await TestApp.run { app in
            let store = JobStore(database: app.db)
            let plain = try await store.enqueue((0..<6).map { _ in try .init(PlainJobBesideMerging.self, .init()) })
            let probe = ConcurrencyProbe()
            let running = startWorker(
                app,
                handlers: {
                    $0.register(MergingJob(recorder: RunRecorder()))
                    $0.register(PlainJobBesideMerging(probe: probe))
                }, configure: { $0.defaultConcurrency = 1 })
            try await waitUntil { try await store.counts().first { $0.queue == MergingJob.queue.rawValue }?.succeeded == 6 }
            await running.stop()
            #expect(probe.peak == 1, "the queue's concurrency holds")
            #expect(probe.total == 6)
            for id in plain.compactMap({ $0 }) {
                #expect(try await store.find(id, organizationID: nil)?.attempts == 1)
            }
        }
    }

    @Test("a queue never runs more jobs at once than its concurrency")
    func concurrencyLimit() async throws {
        try await TestApp.run { app in
            let probe = ConcurrencyProbe()
            let running = startWorker(app, handlers: { $0.register(ProbeJob(probe: probe)) }, configure: { $0.concurrency["test-probe"] = 3 })
            try await running.store.enqueue((0..<30).map { _ in try .init(ProbeJob.self, .init(milliseconds: 15)) })
            try await waitUntil { probe.total == 30 && running.worker.runningCount == 0 }
            await running.stop()
            #expect(probe.peak == 3)
        }
    }

    @Test("on shutdown a worker gives back jobs that do not finish in the grace period, without counting the attempt")
    func gracefulShutdown() async throws {
        try await TestApp.run { app in
            let probe = ConcurrencyProbe()
            let running = startWorker(app, handlers: { $0.register(ProbeJob(probe: probe)) }, configure: { $0.shutdownGrace = .milliseconds(200) })
            let store = running.store
            let quick = try #require(try await store.enqueue(.init(ProbeJob.self, .init(milliseconds: 50))))
            let slow = try #require(try await store.enqueue(.init(ProbeJob.self, .init(milliseconds: 60_000))))
            try await waitUntil { running.worker.runningCount == 2 || probe.total == 2 }
            await running.stop()
            #expect(try await store.find(quick, organizationID: nil)?.state == .succeeded)
            let released = try #require(try await store.find(slow, organizationID: nil))
            #expect(released.state == .queued)
            #expect(released.attempts == 0)
        }
    }

    @Test("an idle worker starts a new job within milliseconds of the enqueue, without waiting for its poll")
    func wakesOnEnqueue() async throws {
        try await TestApp.run { app in
            let running = startWorker(app, handlers: { $0.register(DiagnosticsJob()) }, configure: { $0.pollInterval = .seconds(30) })
            let store = running.store
            try await Task.sleep(for: .milliseconds(100))  // let it go idle
            let id = try #require(try await store.enqueue(.init(DiagnosticsJob.self, .init())))
            try await waitUntil(timeout: .seconds(5)) { try await store.find(id, organizationID: nil)?.state == .succeeded }
            await running.stop()
        }
    }
}

@Suite struct BackgroundRunnerTests {
    @Test("the app's runner stops promptly, and on PostgreSQL a job enqueued by another process wakes it through NOTIFY")
    func runnerWakesAndStops() async throws {
        // Polling every 30 s: a job that runs sooner was woken by a notification.
        try await TestApp.run(variables: ["JOBS_POLL_MILLISECONDS": "30000"]) { app in
            let runner = try BackgroundJobs.Runner(jobs: app.app.backgroundJobs, database: app.db, context: app.app.context, logger: Logger(label: "test"))
            let running = Task { await runner.run() }
            try await Task.sleep(for: .milliseconds(500))  // connected and idle

            if TestDatabase.postgresURL != nil {
                // Another process: a store with no in-process wake-up, only the database's NOTIFY.
                let elsewhere = JobStore(database: app.db)
                let id = try #require(try await elsewhere.enqueue(.init(DiagnosticsJob.self, .init(label: "from afar"))))
                let deadline = ContinuousClock.now + .seconds(10)
                while try await elsewhere.find(id, organizationID: nil)?.state != .succeeded, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(try await elsewhere.find(id, organizationID: nil)?.state == .succeeded)
            }

            let stopping = ContinuousClock.now
            runner.stop()
            await running.value
            #expect(ContinuousClock.now - stopping < .seconds(3))
        }
    }
}
