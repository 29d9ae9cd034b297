import App
import Logging
import Vapor

// Entry point: `adsapp [serve [--demo]|migrate|routes|worker|jobs|platform-admin|bench-baseline] [options]`.
var environment = try Environment.detect()
let logLevel = Environment.get("LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
if Environment.get("LOG_FORMAT") == "json" || (environment == .production && Environment.get("LOG_FORMAT") == nil) {
    LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: logLevel) }
} else {
    try LoggingSystem.bootstrap(from: &environment)
}

// `serve --demo` is ours, not Vapor's: take the flag out before Vapor reads the arguments.
let isDemo = environment.arguments.contains("--demo")
environment.arguments.removeAll { $0 == "--demo" }

// Vapor serves when no command is named; only serving applies migrations on start.
let arguments = environment.arguments.dropFirst()
let isHelp = arguments.contains("--help") || arguments.contains("-h")
let command = arguments.first ?? "serve"
let app = try await Application.make(environment)
do {
    if command == "bench-baseline" {
        environment.arguments[1] = "serve"
        app.environment = environment
        configureBenchmarkBaseline(app)
    } else {
        var variables = ProcessInfo.processInfo.environment
        let serving = command == "serve" && !isHelp
        if isDemo && serving {
            try await configureDemo(app, variables: &variables, environment: environment)
        }
        let configuration = try AppConfiguration.load(from: variables, environment: environment)
        try await configure(app, configuration: configuration, migrate: serving,
                            runWorkers: serving && configuration.jobsInProcess)
    }
    try await app.execute()
} catch {
    app.logger.critical("\(error)")
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
