@_spi(Seeding) import App
import Logging
import NIOCore
import NIOPosix
import Vapor

// `adsapp-bench jobs|webhook|inbox|baseline [options]`: the parts of `scripts/bench` that run
// inside the app's process, on the database the environment names (DATABASE_URL or DATA_DIR), each
// printing one line of JSON. Migrate the database first with `adsapp migrate`.
// `baseline --port N` serves a bare Vapor app with one route (GET / answers "ok"): the limit
// `scripts/bench` measures the product against.
// As `adsapp` runs: Swift Concurrency's tasks on the event loops (see Sources/adsapp/main.swift).
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
var environment = try Environment.detect()
try LoggingSystem.bootstrap(from: &environment)
let app = try await Application.make(environment)
do {
    if environment.arguments.dropFirst().first == "baseline" {
        app.middleware = Middlewares()
        app.get { _ in "ok" }
        app.asyncCommands.use(await app.servers.asyncCommand, as: "baseline")
    } else {
        let configuration = try AppConfiguration.load(from: ProcessInfo.processInfo.environment, environment: environment)
        try await configure(app, configuration: configuration, migrate: false)
        // Only the benchmarks: the app's own commands (serve, migrate, jobs, ...) belong to `adsapp`.
        app.asyncCommands.commands = [
            "jobs": BenchJobsCommand(),
            "webhook": BenchWebhookCommand(),
            "inbox": BenchInboxCommand(),
            "contacts": BenchContactsCommand(),
        ]
        app.asyncCommands.defaultCommand = nil
    }
    try await app.execute()
} catch {
    app.logger.critical("\(error)")
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
