import FluentKit
import Foundation
import Logging
import Synchronization

/// Runs jobs: one loop per queue claims due jobs up to the queue's concurrency, runs each in a
/// child task, renews the leases of running jobs, and recovers jobs whose worker died.
///
/// `run()` returns after `stop()` (or task cancellation): it stops claiming, lets running jobs
/// finish for up to `shutdownGrace`, and gives the rest back to the queue.
public final class JobWorker: Sendable {
    public struct Configuration: Sendable {
        /// Jobs of one queue running at once in this worker.
        public var concurrency: [QueueName: Int] = [:]
        public var defaultConcurrency = 8
        public var lease: Duration = .seconds(30)
        /// How often to look for due jobs when no wake-up arrives (delayed jobs, other processes on SQLite).
        public var pollInterval: Duration = .seconds(1)
        public var shutdownGrace: Duration = .seconds(10)
        /// Only these queues; `nil` = every queue with a handler.
        public var queues: Set<QueueName>?

        public init() {}

        func limit(_ queue: QueueName) -> Int { concurrency[queue] ?? defaultConcurrency }
    }

    public let id: String
    let store: JobStore
    let registry: JobRegistry
    let configuration: Configuration
    let wakeup: JobWakeup
    let logger: Logger
    let random: @Sendable (ClosedRange<Double>) -> Double

    private let running = Mutex<[UUID: ClaimedJob]>([:])
    private let stopping = LockedBool()
    private let stopSignal = Signal()
    private let completions: CompletionBatch

    public init(
        store: JobStore, registry: JobRegistry, configuration: Configuration = .init(), wakeup: JobWakeup,
        logger: Logger, random: @escaping @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }
    ) {
        self.id = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
        self.store = store
        self.registry = registry
        self.configuration = configuration
        self.wakeup = wakeup
        self.logger = logger
        self.random = random
        self.completions = CompletionBatch(store: store, logger: logger, timeLimit: max(configuration.lease, .seconds(5)))
    }

    var queues: [QueueName] { Array(configuration.queues ?? registry.queues).sorted { $0.rawValue < $1.rawValue } }

    /// How long one of the worker's own database calls may take before it gives up on it.
    var databaseTimeLimit: Duration { max(configuration.lease, .seconds(5)) }

    /// Jobs this worker is running now.
    public var runningCount: Int { running.withLock { $0.count } }

    /// Whether `stop()` was called: the scheduler and listener beside the worker stop with it.
    public var isStopping: Bool { stopping.value }

    public func stop() {
        stopping.set()
        stopSignal.fire()
        wakeup.wakeAll()
    }

    public func run() async {
        logger.info("job worker started", metadata: ["worker": .string(id), "queues": .string(queues.map(\.rawValue).joined(separator: ","))])
        await withTaskGroup(of: Void.self) { group in
            for queue in queues {
                group.addTask { await self.runQueue(queue) }
            }
            group.addTask { await self.maintainLeases() }
            group.addTask { await self.completions.run(until: self.stopping) }
            // Stop when asked, or when the surrounding task is cancelled.
            await withTaskCancellationHandler {
                while !stopping.value { await stopSignal.wait(timeout: .seconds(1)) }
            } onCancel: {
                self.stop()
            }
            await group.waitForAll()
        }
        await completions.flush()
        logger.info("job worker stopped", metadata: ["worker": .string(id)])
    }

    /// Claims and runs due jobs of every queue in the calling task, one at a time, until none is
    /// due (or `maxJobs` have run), and returns how many ran. What the handlers queue is run too;
    /// what is due later (a retry's backoff, a delayed job) is not. For tests: no leases are renewed.
    @discardableResult
    public func runUntilIdle(maxJobs: Int = 10_000) async throws -> Int {
        var ran = 0
        while ran < maxJobs {
            var claimedAny = false
            for queue in queues {
                let claimed = try await store.claim(queue: queue, limit: registry.mergeLimit(of: queue), workerID: id, lease: configuration.lease)
                guard !claimed.isEmpty else { continue }
                claimedAny = true
                for run in runs(of: claimed) {
                    running.withLock { running in for job in run.jobs { running[job.id] = job } }
                    await execute(run)
                    ran += run.jobs.count
                }
                await completions.flush()
            }
            if !claimedAny { break }
        }
        return ran
    }

    // MARK: - Queue loop

    private func runQueue(_ queue: QueueName) async {
        let limit = configuration.limit(queue)
        // Mergeable kinds take up to their merge limit of jobs per slot.
        let jobsPerSlot = registry.mergeLimit(of: queue)
        let signal = wakeup.signal(queue)
        let active = LockedCounter()
        await withDiscardingTaskGroup { jobs in
            while !stopping.value {
                var free = limit - active.value
                if free > 0, free < limit {
                    // Busy: let a few more runs finish first, so one claim fetches many jobs instead of one.
                    try? await Task.sleep(for: .milliseconds(1))
                    free = limit - active.value
                }
                if free > 0 {
                    do {
                        let wanted = free * jobsPerSlot
                        let claimed = try await withTimeLimit(databaseTimeLimit) {
                            try await self.store.claim(queue: queue, limit: wanted, workerID: self.id, lease: self.configuration.lease)
                        }
                        if !claimed.isEmpty {
                            let runs = runs(of: claimed)
                            let started = Array(runs.prefix(free))
                            active.add(started.count)
                            running.withLock { running in for job in started.flatMap(\.jobs) { running[job.id] = job } }
                            for run in started {
                                jobs.addTask {
                                    await self.execute(run)
                                    active.add(-1)
                                    signal.fire()  // a slot is free: claim again
                                }
                            }
                            // More runs than slots (kinds that do not merge): the rest go back untouched.
                            // Should that fail, their leases run out and they are recovered.
                            let extra = runs.dropFirst(free).flatMap(\.jobs).map(\.id)
                            if !extra.isEmpty {
                                do {
                                    let store = self.store, id = self.id
                                    try await withTimeLimit(databaseTimeLimit) { try await store.release(workerID: id, jobIDs: extra) }
                                } catch {
                                    logger.warning("giving back claimed jobs failed", metadata: ["error": .string(ErrorText.of(error))])
                                }
                            }
                            continue
                        }
                    } catch {
                        logger.warning("claiming jobs failed; retrying", metadata: ["queue": .string(queue.rawValue), "error": .string(ErrorText.of(error))])
                    }
                }
                await signal.wait(timeout: configuration.pollInterval)
            }
            if await !finishWithinGrace() { jobs.cancelAll() }
        }
    }

    /// On shutdown: waits up to the grace period for running jobs, then gives the rest back to the
    /// queue without counting the attempt. Returns whether everything finished.
    private func finishWithinGrace() async -> Bool {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while runningCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let unfinished = running.withLock { Array($0.keys) }
        guard !unfinished.isEmpty else { return true }
        logger.notice("giving unfinished jobs back to the queue", metadata: ["count": .stringConvertible(unfinished.count)])
        let store = self.store, id = self.id
        try? await withTimeLimit(databaseTimeLimit) { try await store.release(workerID: id, jobIDs: unfinished) }
        return false
    }

    // MARK: - One run

    /// One run of a handler: one job, or several of a mergeable kind with their payloads merged.
    struct Run: Sendable {
        var jobs: [ClaimedJob]
        var payload: String
    }

    /// The claimed jobs as runs, in claim order: one run a job, except for mergeable kinds, whose
    /// jobs are merged as their handler allows.
    func runs(of claimed: [ClaimedJob]) -> [Run] {
        let mergeable = Dictionary(grouping: claimed.filter { registry.entry(for: $0.kind)?.merge != nil }, by: \.kind)
        var runs: [Run] = []
        var placed: Set<String> = []
        for job in claimed {
            guard let merge = registry.entry(for: job.kind)?.merge, let jobs = mergeable[job.kind] else {
                runs.append(Run(jobs: [job], payload: job.payload))
                continue
            }
            // A kind's runs take the place of its first job.
            guard placed.insert(job.kind).inserted else { continue }
            runs += merge(jobs.map(\.payload)).map { Run(jobs: $0.jobs.map { jobs[$0] }, payload: $0.payload) }
        }
        return runs
    }

    private func execute(_ run: Run) async {
        defer {
            running.withLock { running in for job in run.jobs { running.removeValue(forKey: job.id) } }
        }
        let job = run.jobs[0]
        var logger = self.logger
        logger[metadataKey: "job-id"] = .string(job.id.uuidString)
        logger[metadataKey: "job-kind"] = .string(job.kind)
        if run.jobs.count > 1 { logger[metadataKey: "merged-jobs"] = .stringConvertible(run.jobs.count) }
        let completion = CompletionFlag()
        let context = JobContext(
            jobID: job.id, attempt: job.attempt, organizationID: job.organizationID, logger: logger,
            database: store.database, claim: job, merged: Array(run.jobs.dropFirst()), store: store, completion: completion
        )
        do {
            guard let entry = registry.entry(for: job.kind) else { throw JobError.unknownKind(job.kind) }
            try await withTimeLimit(entry.timeLimit) { try await entry.run(run.payload, context) }
            if !completion.isSet { for job in run.jobs { await completions.add(job) } }
        } catch JobError.leaseLost {
            logger.warning("job finished after its lease was lost; its result was dropped")
        } catch let error as JobError where error.canNeverSucceed {
            // Unknown kinds, undecodable payloads and permanent refusals never succeed: straight to the dead letters.
            logger.error("job cannot run: \(error)")
            let store = self.store
            for job in run.jobs {
                try? await withTimeLimit(databaseTimeLimit) { try await store.markFailed(job, error: error.description, retryAt: store.now(), dead: true) }
            }
        } catch {
            logger.warning("job failed", metadata: ["attempt": .stringConvertible(job.attempt), "error": .string(ErrorText.of(error))])
            // Every job of the run is retried on its own schedule.
            for job in run.jobs {
                let retryAt = store.now().addingTimeInterval(backoff(attempt: job.attempt))
                do {
                    let store = self.store, text = ErrorText.of(error)
                    try await withTimeLimit(databaseTimeLimit) { try await store.markFailed(job, error: text, retryAt: retryAt) }
                } catch {
                    logger.error(
                        "recording a job failure failed; the lease will expire and the job will be retried", metadata: ["error": .string(ErrorText.of(error))])
                }
            }
        }
    }

    /// Exponential backoff with jitter: about 2, 4, 8, ... seconds, at most an hour.
    func backoff(attempt: Int) -> TimeInterval {
        let base = min(pow(2.0, Double(max(attempt, 1))), 3600)
        return base * random(0.5...1.5)
    }

    // MARK: - Leases

    private func maintainLeases() async {
        let interval = configuration.lease / 3
        var sinceRecovery = Duration.zero
        while !stopping.value {
            await stopSignal.wait(timeout: interval)
            if stopping.value { break }
            let ids = running.withLock { Array($0.keys) }
            do {
                let store = self.store, id = self.id, lease = configuration.lease
                try await withTimeLimit(databaseTimeLimit) { try await store.renewLeases(workerID: id, jobIDs: ids, lease: lease) }
            } catch {
                logger.warning("renewing job leases failed", metadata: ["error": .string(ErrorText.of(error))])
            }
            sinceRecovery += interval
            if sinceRecovery >= configuration.lease / 2 {
                sinceRecovery = .zero
                do {
                    let store = self.store
                    let recovered = try await withTimeLimit(databaseTimeLimit) { try await store.recoverExpiredLeases() }
                    if recovered > 0 {
                        logger.notice("recovered jobs of a stopped worker", metadata: ["count": .stringConvertible(recovered)])
                        wakeup.wakeAll()
                    }
                } catch {
                    logger.warning("recovering expired leases failed", metadata: ["error": .string(ErrorText.of(error))])
                }
            }
        }
    }
}

/// Collects successes of handlers that did not complete in their own transaction and records
/// them a batch at a time: one UPDATE for many no-op or external-call jobs.
actor CompletionBatch {
    private let store: JobStore
    private let logger: Logger
    private let timeLimit: Duration
    private var pending: [ClaimedJob] = []
    private let signal = Signal()

    init(store: JobStore, logger: Logger, timeLimit: Duration) {
        self.store = store
        self.logger = logger
        self.timeLimit = timeLimit
    }

    func add(_ job: ClaimedJob) {
        pending.append(job)
        if pending.count == 1 || pending.count >= 200 { signal.fire() }
    }

    /// Flushes a couple of milliseconds after the first success arrives, so a burst shares one UPDATE.
    nonisolated func run(until stopping: LockedBool) async {
        while !stopping.value {
            await signal.wait(timeout: .seconds(1))
            try? await Task.sleep(for: .milliseconds(2))
            await flush()
        }
    }

    func flush() async {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        do {
            let store = self.store
            try await withTimeLimit(timeLimit) { try await store.markSucceeded(batch) }
        } catch {
            // Not recorded: the leases expire and the jobs run again. Handlers that must not repeat
            // complete inside their own transaction (`JobContext.complete`).
            logger.error("recording completed jobs failed", metadata: ["count": .stringConvertible(batch.count), "error": .string(ErrorText.of(error))])
        }
    }
}
