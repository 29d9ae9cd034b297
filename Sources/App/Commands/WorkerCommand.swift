import Dispatch
import Foundation
import Jobs
import Vapor

/// `adsapp worker`: runs only the background job workers and the scheduler, no HTTP, so web and
/// workers can scale apart. SIGTERM or SIGINT stops it gracefully: running jobs finish within the
/// grace period, the rest go back to the queue.
struct WorkerCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Runs the background job workers and the scheduler until SIGTERM." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let application = context.application
        try await DatabaseSetup.prepare(application.db)
        try await SQLitePlannerStatistics.write(on: application.db)
        let runner = try BackgroundJobs.Runner(
            jobs: application.backgroundJobs, database: application.db, context: application.context, logger: application.logger)
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                application.logger.notice("stopping the job worker", metadata: ["signal": .stringConvertible(number)])
                runner.stop()
            }
            source.resume()
            return source
        }
        await runner.run()
        signals.forEach { $0.cancel() }
    }
}

/// `adsapp jobs status | enqueue --kind KIND | retry --id ID | discard --id ID`: the queue from the command line.
struct JobsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "status, enqueue, retry or discard")
        var action: String
        @Option(name: "kind", help: "the job kind to enqueue")
        var kind: String?
        @Option(name: "id", help: "the job to retry or discard")
        var id: String?
        @Option(name: "payload", help: "JSON payload for enqueue (default {})")
        var payload: String?
        @Option(name: "count", help: "how many jobs to enqueue (default 1)")
        var count: Int?
        @Option(name: "priority", help: "critical, high, normal or low (default normal)")
        var priority: String?
    }

    var help: String { "Shows queue counts, enqueues jobs, or retries and discards dead jobs." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let application = context.application
        let store = application.backgroundJobs.store(application.db, application.context)
        switch signature.action {
        case "status":
            for counts in try await store.counts() {
                context.console.print(
                    "\(counts.queue): queued \(counts.queued) (retrying \(counts.retrying)), running \(counts.running), succeeded \(counts.succeeded), dead \(counts.dead)"
                )
            }
        case "enqueue":
            guard let kind = signature.kind, let entry = application.backgroundJobs.registry.queue(of: kind) else {
                throw Abort(.badRequest, reason: "name a registered job kind: \(application.backgroundJobs.registry.kinds.joined(separator: ", "))")
            }
            let payload = signature.payload ?? "{}"
            guard (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) is [String: Any] else {
                throw Abort(.badRequest, reason: "--payload must be a JSON object")
            }
            let priority: JobPriority
            switch signature.priority ?? "normal" {
            case "critical": priority = .critical
            case "high": priority = .high
            case "normal": priority = .normal
            case "low": priority = .low
            case let other: throw Abort(.badRequest, reason: "unknown priority \(other)")
            }
            let count = signature.count ?? 1
            guard (1...1_000_000).contains(count) else { throw Abort(.badRequest, reason: "--count must be 1 to 1000000") }
            let job = JobStore.NewJob(kind: kind, queue: entry.queue, payload: payload, priority: priority, maxAttempts: entry.maxAttempts)
            var added = 0
            for start in stride(from: 0, to: count, by: 5000) {
                added += try await store.enqueue(Array(repeating: job, count: min(5000, count - start))).compactMap { $0 }.count
            }
            context.console.print("enqueued \(added) \(kind) job(s)")
        case "retry", "discard":
            guard let raw = signature.id, let id = UUID(uuidString: raw) else { throw Abort(.badRequest, reason: "name a job id") }
            let done = signature.action == "retry" ? try await store.retry(id) : try await store.discard(id)
            guard done else { throw Abort(.notFound, reason: "no dead or waiting job \(id)") }
            context.console.print("\(signature.action == "retry" ? "retried" : "discarded") \(id)")
        default:
            throw Abort(.badRequest, reason: "action must be status, enqueue, retry or discard")
        }
    }
}
