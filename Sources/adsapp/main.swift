import App
import Demo
import Logging
import NIOCore
import NIOPosix
import Vapor

// Entry point: `adsapp [serve [--demo]|migrate|routes|worker|jobs|platform-admin] [options]`.
// The benchmarks have their own executable, `adsapp-bench`.

// 0. Swift Concurrency runs its tasks on the event loops, before anything async has run: a request's
//    code then continues on the thread that talks to its client and its database, instead of
//    hopping to Swift's own pool and back at every query (docs/benchmarks.md, section gains).
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

// 1. Logging: JSON lines in production (or with LOG_FORMAT=json), Vapor's text otherwise.
var environment = try Environment.detect()
let logLevel = Environment.get("LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
if Environment.get("LOG_FORMAT") == "json" || (environment == .production && Environment.get("LOG_FORMAT") == nil) {
    LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: logLevel) }
} else {
    try LoggingSystem.bootstrap(from: &environment)
}

// 2. The command. `serve --demo` is ours, not Vapor's: take the flag out before Vapor reads the arguments.
let isDemo = environment.arguments.contains("--demo")
environment.arguments.removeAll { $0 == "--demo" }
let arguments = environment.arguments.dropFirst()
let command = arguments.first ?? "serve"  // Vapor serves when no command is named
let serving = command == "serve" && !arguments.contains("--help") && !arguments.contains("-h")

// 3. The app: configuration from the environment (the demo adds its simulator's), then `configure`,
//    which assembles everything. Only serving applies migrations on start and runs the workers.
let app = try await Application.make(environment)
do {
    var variables = ProcessInfo.processInfo.environment
    if isDemo && serving {
        _ = try await Demo.start(app, variables: &variables, arguments: environment.arguments)
    }
    let configuration = try AppConfiguration.load(from: variables, environment: environment)
    try await configure(app, configuration: configuration, migrate: serving, runWorkers: serving && configuration.jobsInProcess)
    try await app.execute()
} catch {
    app.logger.critical("\(error)")
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
