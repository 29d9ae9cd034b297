import Fluent
import Foundation
import Jobs
import SQLKit
import Vapor

/// A job that does nothing: what `adsapp-bench jobs` measures is the queue itself.
struct BenchNoopJob: JobHandler {
    struct Payload: Codable, Sendable {}
    static let kind = "bench.noop"
    static let queue: QueueName = "bench"
    func run(_ payload: Payload, context: JobContext) async throws {}
}

/// `adsapp-bench jobs`: enqueue and processing throughput of no-op jobs and enqueue-to-start
/// latency, on the configured database, printed as JSON for `scripts/bench jobs`. Run it on a
/// fresh, migrated database: it leaves its jobs behind.
struct BenchJobsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "count", help: "jobs for the throughput runs (default 20000)")
        var count: Int?
        @Option(name: "concurrency", help: "worker concurrency for the bench queue (default 64)")
        var concurrency: Int?
        @Option(name: "samples", help: "single jobs for the latency run (default 300)")
        var samples: Int?
    }

    var help: String { "Measures the job queue (run on a fresh database)." }

    struct Result: Encodable {
        var database: String
        var count: Int
        var concurrency: Int
        var rawInsertRowsPerSecond: Double
        var enqueuePerSecond: Double
        var processedPerSecond: Double
        var latencySamples: Int
        var latencyP50Milliseconds: Double
        var latencyP99Milliseconds: Double
        var latencyMaxMilliseconds: Double
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let application = context.application
        let count = signature.count ?? 20_000
        let concurrency = signature.concurrency ?? 64
        let samples = signature.samples ?? 300
        let database = application.db
        let sql = database as! any SQLDatabase
        let wakeup = JobWakeup()
        let store = JobStore(database: database, wakeup: wakeup)
        let job = try JobStore.NewJob(BenchNoopJob.self, .init())

        // The limit beside our figures: the same rows inserted with plain multi-row INSERTs, no queue code.
        try await sql.raw("CREATE TABLE bench_raw_jobs AS SELECT * FROM jobs WHERE 1 = 0").run()
        var started = ContinuousClock.now
        for batchStart in stride(from: 0, to: count, by: 1000) {
            let rows = (batchStart..<min(batchStart + 1000, count)).map { _ in
                SQLGroupExpression(
                    SQLList([
                        SQLBind(UUID()), SQLBind(job.kind), SQLBind(job.queue.rawValue), SQLBind(job.payload), SQLBind(2), SQLBind("queued"),
                        SQLBind(Int64(0)), SQLBind(Int64(0)), SQLBind(0), SQLBind(5), SQLBind(Int64(0)), SQLBind(0.0),
                    ]))
            }
            try await sql.raw(
                """
                INSERT INTO bench_raw_jobs (id, kind, queue, payload, priority, state, run_at, due_at, attempts, max_attempts, created_at, progress)
                VALUES \(SQLList(rows))
                """
            ).run()
        }
        let rawRate = Double(count) / Statistics.seconds(since: started)
        try await sql.raw("DROP TABLE bench_raw_jobs").run()

        // Enqueue through the queue, in batches of 1,000 as a broadcast would.
        started = ContinuousClock.now
        for batchStart in stride(from: 0, to: count, by: 1000) {
            try await store.enqueue(Array(repeating: job, count: min(1000, count - batchStart)))
        }
        let enqueueRate = Double(count) / Statistics.seconds(since: started)

        // Process them all.
        var registry = JobRegistry()
        registry.register(BenchNoopJob())
        var configuration = JobWorker.Configuration()
        configuration.queues = [BenchNoopJob.queue]
        configuration.concurrency[BenchNoopJob.queue] = concurrency
        var logger = application.logger
        logger.logLevel = .warning
        let worker = JobWorker(store: store, registry: registry, configuration: configuration, wakeup: wakeup, logger: logger)
        started = ContinuousClock.now
        let running = Task { await worker.run() }
        while try await succeeded(sql) < count {
            try await Task.sleep(for: .milliseconds(20))
        }
        let processRate = Double(count) / Statistics.seconds(since: started)

        // Enqueue-to-start latency of single jobs reaching an idle worker.
        try await Task.sleep(for: .milliseconds(200))
        var ids: [UUID] = []
        for _ in 0..<samples {
            if let id = try await store.enqueue(job) { ids.append(id) }
            try await Task.sleep(for: .milliseconds(10))
        }
        while try await succeeded(sql) < count + ids.count {
            try await Task.sleep(for: .milliseconds(20))
        }
        worker.stop()
        await running.value
        let latencies = try await sql.raw(
            """
            SELECT started_at - created_at AS waited FROM jobs WHERE id IN \(SQLGroupExpression(SQLList(ids.map { SQLBind($0) })))
            """
        ).all().map { Double(try $0.decode(column: "waited", as: Int64.self)) / 1000 }.sorted()

        let result = Result(
            database: (sql.dialect.name == "postgresql") ? "postgresql" : "sqlite",
            count: count, concurrency: concurrency,
            rawInsertRowsPerSecond: rawRate, enqueuePerSecond: enqueueRate, processedPerSecond: processRate,
            latencySamples: latencies.count,
            latencyP50Milliseconds: Statistics.percentile(latencies, 0.50),
            latencyP99Milliseconds: Statistics.percentile(latencies, 0.99),
            latencyMaxMilliseconds: latencies.last ?? 0
        )
        context.console.print(try Statistics.json(result))
    }

    private func succeeded(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE queue = 'bench' AND state = 'succeeded'").first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
