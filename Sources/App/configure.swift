import ADSappCore
import Fluent
import Jobs
import Vapor

/// The composition root: everything the app is made of, assembled in one place.
///
/// - Parameters:
///   - configuration: parsed from the environment by `AppConfiguration.load`.
///   - dependencies: time, randomness and the outside services; tests pass fixed or replaced ones.
///   - migrate: prepare the database and apply pending migrations now, unless `AUTO_MIGRATE` is off
///     (the `serve` command and tests; the `migrate` command does it itself, and `--help` should
///     touch no database).
public func configure(
    _ app: Application,
    configuration: AppConfiguration,
    dependencies: Dependencies = .live,
    migrate: Bool,
    runWorkers: Bool = false
) async throws {
    app.context = AppContext(configuration: configuration, dependencies: dependencies, catalog: try Catalog.loadBundled())

    // Storage
    try DatabaseSetup.register(app, configuration)
    app.migrations.add(Migrations.all)
    if migrate {
        try await DatabaseSetup.prepare(app.db)
        if configuration.autoMigrate { try await app.autoMigrate() }
        try await SQLitePlannerStatistics.write(on: app.db)
    }

    // Middleware, outermost first
    app.middleware = Middlewares()
    app.middleware.use(RequestIdentification())
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(SecurityHeaders(isHTTPS: configuration.isHTTPS))
    app.middleware.use(CSRFCookieIssuer())
    app.middleware.use(ErrorResponses())
    app.middleware.use(SessionAuthenticator())
    app.middleware.use(CSRFProtection())
    app.routes.defaultMaxBodySize = "1mb"

    // Vendors
    app.whatsApp = WhatsAppServices.make(configuration, httpClient: app.http.client.shared, dependencies: dependencies)
    app.accountVault = AccountVault.make(configuration, dependencies)
    if configuration.billing.stripe != nil { app.planLimits = BillingPlanLimits(settings: configuration.billing, now: dependencies.now) }

    // Background jobs, and the live inbox they and requests wake when they record inbox events
    let inboxWakeUp = Signal()
    let mailer =
        dependencies.mailer
        ?? EmailDelivery.mailer(
            configuration.email, appURL: configuration.appURL, httpClient: app.http.client.shared, database: app.db, now: dependencies.now)
    app.backgroundJobs = try BackgroundJobs(
        configuration, whatsApp: app.whatsApp, mailer: mailer, context: app.context, inboxWakeUp: inboxWakeUp, now: dependencies.now)
    app.liveInbox = LiveInbox(
        database: app.db, wakeUp: inboxWakeUp, logger: app.logger, sessions: .init(configuration, now: dependencies.now),
        replayLimit: configuration.liveInboxReplayLimit)
    app.livePresence = LivePresence(live: app.liveInbox)
    app.lifecycle.use(LiveInboxService())
    app.conversationCounts = ConversationCounts(database: app.db, maxAge: configuration.inboxCountsMaxAge)
    app.contactCounts = ContactCounts(database: app.db, maxAge: configuration.contactCountsMaxAge)
    app.webhookIntake = WebhookIntake(source: WebhookEvent.whatsApp, database: app.db, jobs: app.backgroundJobs.store(app.db, app.context))
    if runWorkers { app.lifecycle.use(InProcessWorkers()) }

    // Routes
    try Routes.register(app)

    // Commands besides Vapor's `serve`, `routes` and Fluent's `migrate`.
    // `seed-demo` joins here when there is something to seed.
    app.asyncCommands.use(PlatformAdminCommand(), as: "platform-admin")
    app.asyncCommands.use(WorkerCommand(), as: "worker")
    app.asyncCommands.use(JobsCommand(), as: "jobs")
    // The benchmarks' commands live in the `adsapp-bench` executable, the demo in the `Demo` module.
}
