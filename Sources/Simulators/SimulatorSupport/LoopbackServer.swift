import Foundation
import Synchronization
import Vapor

/// A simulator's HTTP server on loopback: one Vapor application with none of the app's middleware,
/// started once and shut down cleanly (the Graph, Stripe, Resend and LLM simulators each own one).
public final class LoopbackServer: Sendable {
    private let running = Mutex<(app: Application, baseURL: URL)?>(nil)

    public init() {}

    /// The URL `start` returned, while running.
    public var baseURL: URL? { running.withLock { $0?.baseURL } }

    /// Serves on `host:port` (port 0 picks a free one) what `routes` registers, and returns
    /// `http://host:port` followed by `path`; while running, returns that URL again.
    public func start(name: String, host: String, port: Int, path: String = "", routes: (Application) throws -> Void) async throws -> URL {
        if let running = running.withLock({ $0 }) { return running.baseURL }
        let app = try await Application.make(Environment(name: "simulator", arguments: [name]))
        app.logger.logLevel = .warning
        app.middleware = Middlewares()
        do {
            try routes(app)
            try await app.server.start(address: .hostname(host, port: port))
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        let boundPort = app.http.server.shared.localAddress?.port ?? port
        let baseURL = URL(string: "http://\(host):\(boundPort)\(path)")!
        running.withLock { $0 = (app, baseURL) }
        return baseURL
    }

    public func shutdown() async throws {
        guard
            let running = running.withLock({ current in
                defer { current = nil }; return current
            })
        else { return }
        await running.app.server.shutdown()
        try await running.app.asyncShutdown()
    }
}
