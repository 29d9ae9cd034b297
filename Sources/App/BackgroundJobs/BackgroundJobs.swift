import Fluent
import Foundation
import Jobs
import Mail
import Synchronization
import Vapor

/// How the app uses the Jobs module: which handlers and schedules exist, and the workers that
/// `serve` runs in-process (unless `JOBS_IN_PROCESS=false`) and `adsapp worker` runs alone.
struct BackgroundJobs: Sendable {
    let wakeup = JobWakeup()
    /// Fired when inbox events are recorded: wakes this process's `LiveInbox`.
    let inboxWakeUp: Signal
    let registry: JobRegistry
    let schedules: [JobSchedule]
    let workerConfiguration: JobWorker.Configuration

    init(
        _ configuration: AppConfiguration, whatsApp: WhatsAppServices, mailer: any Mailer, context: AppContext, inboxWakeUp: Signal,
        now: @escaping @Sendable () -> Date
    ) throws {
        self.inboxWakeUp = inboxWakeUp
        var registry = JobRegistry()
        registry.register(DiagnosticsJob())
        registry.register(PruneFinishedJobs())
        registry.register(PruneExpiredSessions(now: now))
        registry.register(ProcessWhatsAppWebhook(wakeup: wakeup, inboxWakeUp: inboxWakeUp, now: now))
        registry.register(DownloadInboundMedia(services: whatsApp))
        registry.register(ClassifySentiment(configuration: configuration, vault: whatsApp.vault, inboxWakeUp: inboxWakeUp, now: now))
        registry.register(SummarizeResolved(context: context, vault: whatsApp.vault, inboxWakeUp: inboxWakeUp, now: now))
        registry.register(CategorizeConversations(configuration: configuration, vault: whatsApp.vault, inboxWakeUp: inboxWakeUp, now: now))
        registry.register(TranslateArrivals(configuration: configuration, vault: whatsApp.vault, inboxWakeUp: inboxWakeUp, now: now))
        registry.register(AnswerAutomatically(context: context, vault: whatsApp.vault, wakeup: wakeup, inboxWakeUp: inboxWakeUp, now: now))
        registry.register(SendWhatsAppMessage(services: whatsApp, inboxWakeUp: inboxWakeUp, now: now))
        registry.register(MarkWhatsAppMessageRead(services: whatsApp, now: now))
        registry.register(SyncMessageTemplates(services: whatsApp, now: now))
        registry.register(SyncAllMessageTemplates())
        registry.register(AssignWaitingConversations(wakeUp: inboxWakeUp, now: now))
        registry.register(WakeSnoozedConversations(wakeUp: inboxWakeUp, now: now))
        registry.register(PruneInboxEvents())
        registry.register(SendEmail(mailer: mailer, now: now))
        registry.register(NotifyMention(context: context))
        registry.register(NotifyAssignment(context: context))
        registry.register(SendDailyDigests(context: context))
        registry.register(ContactImportJob(files: whatsApp.media, billing: configuration.billing, now: now))
        registry.register(EraseContact(media: whatsApp.media, now: now))
        registry.register(RunCampaign(services: whatsApp, settings: configuration.campaigns, billing: configuration.billing, wakeup: wakeup, now: now))
        registry.register(ShowCampaignMessages(inboxWakeUp: inboxWakeUp, now: now))
        registry.register(AdvanceDrips(services: whatsApp, billing: configuration.billing, inboxWakeUp: inboxWakeUp, wakeup: wakeup, now: now))
        let notices = BillingNotices(context: context)
        registry.register(
            ProcessStripeEvent(
                settings: configuration.billing, stripe: Billing.stripeClient(configuration.billing), notices: notices,
                now: now))
        registry.register(EndBillingGrace(notices: notices, now: now))
        self.registry = registry

        let sessionTimeout = configuration.sessionAbsoluteTimeout
        let throttleWindow = configuration.loginThrottle.window
        schedules = [
            JobSchedule(name: "prune-finished-jobs", cron: try CronExpression("17 3 * * *")) { _ in
                try .init(PruneFinishedJobs.self, .init())
            },
            JobSchedule(name: "prune-expired-sessions", cron: try CronExpression("7 * * * *")) { _ in
                try .init(PruneExpiredSessions.self, .init(absoluteTimeoutSeconds: sessionTimeout, throttleWindowSeconds: throttleWindow))
            },
            JobSchedule(name: "whatsapp-templates-sync", cron: try CronExpression("41 2 * * *")) { _ in
                try .init(SyncAllMessageTemplates.self, .init())
            },
            // Snoozes also wake by a job queued for their time, and teams get a round whenever
            // something changes; these sweeps catch what a crash or a busy round let slip.
            JobSchedule(name: "inbox-wake-snoozed", cron: try CronExpression("* * * * *")) { _ in
                try .init(WakeSnoozedConversations.self, .init())
            },
            JobSchedule(name: "inbox-assign-sweep", cron: try CronExpression("* * * * *")) { _ in
                try .init(AssignWaitingConversations.self, .init())
            },
            JobSchedule(name: "inbox-prune-events", cron: try CronExpression("23 4 * * *")) { _ in
                try .init(PruneInboxEvents.self, .init())
            },
            JobSchedule(name: "drips-advance", cron: try CronExpression("* * * * *")) { _ in
                try AdvanceDrips.job()
            },
            JobSchedule(name: "billing-end-grace", cron: try CronExpression("*/10 * * * *")) { _ in
                try .init(EndBillingGrace.self, .init())
            },
            JobSchedule(name: "notifications-daily-digest", cron: try CronExpression("0 7 * * *")) { _ in
                try .init(SendDailyDigests.self, .init())
            },
        ]
        workerConfiguration = configuration.jobs
    }

    func store(_ database: any Database, _ context: AppContext) -> JobStore {
        JobStore(database: database, now: context.dependencies.now, wakeup: wakeup)
    }

    /// Runs due jobs in the calling task until none is due, and returns how many ran: how a test
    /// runs what its requests queued, without a worker polling in the background.
    @discardableResult
    func runUntilIdle(database: any Database, context: AppContext, logger: Logger) async throws -> Int {
        let worker = JobWorker(store: store(database, context), registry: registry, configuration: workerConfiguration, wakeup: wakeup, logger: logger)
        return try await worker.runUntilIdle()
    }

    /// Runs a worker, the scheduler and (on PostgreSQL) the notification listener until `stop` is called.
    final class Runner: Sendable {
        let worker: JobWorker
        let scheduler: JobScheduler
        let listener: PostgresListener?

        init(jobs: BackgroundJobs, database: any Database, context: AppContext, logger: Logger) throws {
            let store = jobs.store(database, context)
            worker = JobWorker(store: store, registry: jobs.registry, configuration: jobs.workerConfiguration, wakeup: jobs.wakeup, logger: logger)
            scheduler = JobScheduler(store: store, schedules: jobs.schedules, logger: logger)
            if case .postgres(let url) = context.configuration.database {
                listener = try .jobs(databaseURL: url, wakeup: jobs.wakeup, logger: logger)
            } else {
                listener = nil
            }
        }

        func run() async {
            let worker = self.worker
            // The listener waits on its connection; it ends by cancellation once the worker has stopped.
            let listening = listener.map { listener in Task { await listener.run(until: { worker.isStopping }) } }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await worker.run() }
                group.addTask { await self.scheduler.run(until: { worker.isStopping }) }
                await group.waitForAll()
            }
            listening?.cancel()
            await listening?.value
        }

        func stop() {
            worker.stop()
        }
    }
}

extension Application {
    private struct BackgroundJobsKey: StorageKey { typealias Value = BackgroundJobs }

    var backgroundJobs: BackgroundJobs {
        get {
            guard let jobs = storage[BackgroundJobsKey.self] else { fatalError("configure(_:) has not run") }
            return jobs
        }
        set { storage[BackgroundJobsKey.self] = newValue }
    }
}

extension Request {
    /// The job queue on this request's database. To enqueue together with other writes, pass the
    /// transaction: `try await request.jobs.enqueue(job, on: transaction)`.
    var jobs: JobStore { application.backgroundJobs.store(db, context) }
}

/// Runs the workers inside `serve`, stopping them (finishing or releasing running jobs) on shutdown.
final class InProcessWorkers: LifecycleHandler {
    private let started = Mutex<(runner: BackgroundJobs.Runner, task: Task<Void, Never>)?>(nil)

    func didBootAsync(_ application: Application) async throws {
        let runner = try BackgroundJobs.Runner(
            jobs: application.backgroundJobs, database: application.db, context: application.context, logger: application.logger)
        let task = Task { await runner.run() }
        started.withLock { $0 = (runner, task) }
    }

    func shutdownAsync(_ application: Application) async {
        guard let (runner, task) = started.withLock({ $0 }) else { return }
        runner.stop()
        _ = await task.result
    }
}
