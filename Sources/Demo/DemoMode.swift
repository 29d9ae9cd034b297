import ADSappCore
@_spi(Seeding) import App
import Foundation
import NIOCore
import Synchronization
import Vapor
import WhatsAppSimulator

/// `adsapp serve --demo`: the app with a demo organization whose WhatsApp number lives in the
/// built-in Graph API simulator, and simulated customers who keep writing, so a new user sees a
/// living inbox without a Meta account. Sign in with `DemoMode.email` / `DemoMode.password`, and
/// in a second browser as the colleague `DemoMode.agentEmail` (same password) to see the shared
/// inbox work between two people.
public enum DemoMode {
    public static let email = "demo@adsapp.local"
    public static let agentEmail = "agent@adsapp.local"
    public static let password = "sourdough-starter-2026"
    public static let organizationName = "Demo Bakery"
    public static let number = SimulatedNumber(
        phoneNumberID: "100000000000001", wabaID: "200000000000001", displayPhoneNumber: "+31 20 555 0100",
        verifiedName: "Demo Bakery", accessToken: "demo-access-token-not-a-secret"
    )

    /// Starts the simulator and returns the settings that point the app at it. The webhook target
    /// is set once the app serves (`Demo.served(at:)`).
    static func startSimulator() async throws -> (simulator: GraphSimulator, variables: [String: String]) {
        let appSecret = "demo-app-secret-" + UUID().uuidString
        let simulator = GraphSimulator(
            SimulatorConfiguration(
                numbers: [number], appSecret: appSecret, webhookURL: nil,
                statusCallbacks: StatusCallbacks(sentAfter: 0.3, deliveredAfter: 1.0, readAfter: 4.0),
                templateApprovalDelay: 5
            ))
        let graphURL = try await simulator.start()
        _ = simulator.addTemplate(name: "order_ready", language: "en_US", category: "UTILITY", body: "Hi {{1}}, your order {{2}} is ready for pickup.")
        _ = simulator.addTemplate(name: "bestelling_klaar", language: "nl", category: "UTILITY", body: "Hoi {{1}}, je bestelling {{2}} ligt klaar.")
        _ = simulator.addTemplate(
            name: "weekend_offer", language: "en_US", category: "MARKETING", body: "This weekend: two sourdough loaves for the price of one!")
        return (
            simulator,
            [
                "WHATSAPP_GRAPH_URL": graphURL.absoluteString,
                // Media downloads take the token only to the hosts allowed: here the simulator's loopback origin.
                "WHATSAPP_MEDIA_HOSTS": graphURL.absoluteString,
                "WHATSAPP_APP_SECRET": appSecret,
                "WHATSAPP_WEBHOOK_VERIFY_TOKEN": "demo-verify-token",
            ]
        )
    }

    /// Makes the demo person, organization and connection on first start; later starts reuse them.
    static func seed(_ app: Application) async throws {
        let seeder = Seeder(app)
        let (_, organization) = try await seeder.owner(name: "Demo Owner", email: email, password: password, organization: organizationName)
        guard let organizationID = organization else { return }
        if try await !seeder.hasConnection(organizationID: organizationID) {
            try await seeder.connectNumber(
                organizationID: organizationID, phoneNumberID: number.phoneNumberID,
                businessAccountID: number.wabaID, accessToken: number.accessToken)
        }
        // A colleague, a team with both members, tags and canned responses: the shared inbox's parts.
        guard try await !seeder.userExists(email: agentEmail) else { return }
        try await seeder.addTeam(
            organizationID: organizationID, name: "Bakery counter",
            colleague: (name: "Demo Agent", email: agentEmail, password: password, role: .agent),
            tags: ["Order", "Complaint", "Wholesale"],
            cannedResponses: [
                (shortcut: "thanks", body: "Thank you {{first_name}}! Anything else we can do for you?"),
                (shortcut: "hours", body: "We are open Tuesday to Saturday, 7:00 to 17:00. See you soon, {{first_name}}!"),
                (shortcut: "bedankt", body: "Dank je wel {{first_name}}! Kunnen we nog iets voor je doen?"),
            ]
        )
    }

    /// The address `serve` is about to listen on, from its arguments (`--hostname`/`-H`, `--port`/`-p`,
    /// `--bind`/`-b`), else `PORT`, else Vapor's 127.0.0.1:8080; a wildcard host becomes 127.0.0.1.
    static func intendedURL(arguments: [String], variables: [String: String]) -> URL {
        func option(_ names: String...) -> String? {
            guard let index = arguments.lastIndex(where: { names.contains($0) }), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        var host = option("--hostname", "-H")
        var port = option("--port", "-p") ?? variables["PORT"]
        if let bind = option("--bind", "-b"), let colon = bind.lastIndex(of: ":") {
            host = String(bind[..<colon])
            port = String(bind[bind.index(after: colon)...])
        }
        return URL(string: "http://\(browsable(host ?? "127.0.0.1")):\(port ?? "8080")")!
    }

    static func browsable(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }
}

/// The running demo: its simulator, the customers who write, and where to sign in.
public final class Demo: Sendable {
    public let simulator: GraphSimulator
    let customers: DemoCustomers
    /// `APP_URL` when it was given: the public address to print instead of the served one.
    let publicURL: URL?
    private let announced = Mutex<(signInURL: URL?, message: String?)>((nil, nil))

    init(simulator: GraphSimulator, publicURL: URL?) {
        self.simulator = simulator
        self.publicURL = publicURL
        customers = DemoCustomers(simulator: simulator, messagesPerMinute: 8)
    }

    /// Starts the simulator and wires the demo into `app`: `variables` then point the app at the
    /// simulator (and `APP_URL` at the address `arguments` will serve, unless it is set). The demo is
    /// seeded when the app boots; once the server listens, the simulator's webhooks go to the address
    /// actually bound and the sign-in URL is printed.
    public static func start(_ app: Application, variables: inout [String: String], arguments: [String]) async throws -> Demo {
        let publicURL = variables["APP_URL"].flatMap(URL.init(string:))
        if publicURL == nil {
            variables["APP_URL"] = DemoMode.intendedURL(arguments: arguments, variables: variables).absoluteString
        }
        let (simulator, settings) = try await DemoMode.startSimulator()
        variables.merge(settings) { _, demo in demo }
        let demo = Demo(simulator: simulator, publicURL: publicURL)
        app.lifecycle.use(DemoLifecycle(demo: demo))
        app.servers.use { app in
            let logger = app.logger
            return ListeningServer(http: app.http.server.shared) { address in demo.served(at: address, logger: logger) }
        }
        return demo
    }

    /// Where the demo said to sign in, once the server listens.
    public var signInURL: URL? { announced.withLock { $0.signInURL } }
    /// What the demo printed when the server started listening.
    public var announcement: String? { announced.withLock { $0.message } }

    /// The server listens at `address`: the simulator's customers write to it from now on.
    func served(at address: SocketAddress?, logger: Logger) {
        guard let port = address?.port else {
            logger.warning("Demo: the server's address is unknown; the simulated customers' messages may not arrive")
            return
        }
        let served = URL(string: "http://\(DemoMode.browsable(address?.ipAddress ?? "127.0.0.1")):\(port)")!
        simulator.setWebhookURL(URL(string: served.absoluteString + Seeder.whatsAppWebhookPath)!)
        let signIn = (publicURL ?? served).appendingPathComponent("signin")
        let message = "Demo: sign in at \(signIn.absoluteString) as \(DemoMode.email) with password \(DemoMode.password)"
        announced.withLock { $0 = (signIn, message) }
        logger.notice("\(message)")
        customers.start()
    }

    func stop() async {
        customers.stop()
        try? await simulator.shutdown()
    }
}

/// Seeds the demo once the app has booted; stops the customers and the simulator at shutdown.
struct DemoLifecycle: LifecycleHandler {
    let demo: Demo

    func didBootAsync(_ application: Application) async throws {
        try await DemoMode.seed(application)
    }

    func shutdownAsync(_ application: Application) async {
        await demo.stop()
    }
}

/// Vapor's HTTP server, which reports the address it bound once it listens (port 0 picks one).
struct ListeningServer: Server {
    let http: HTTPServer
    let listening: @Sendable (SocketAddress?) -> Void

    var onShutdown: EventLoopFuture<Void> { http.onShutdown }

    func start(address: BindAddress?) async throws {
        try await http.start(address: address)
        listening(http.localAddress)
    }

    @available(*, noasync, message: "Use the async start() method instead.")
    func start(address: BindAddress?) throws {
        try http.start(address: address)
        listening(http.localAddress)
    }

    func shutdown() async { await http.shutdown() }

    @available(*, noasync, message: "Use the async shutdown() method instead.")
    func shutdown() { http.shutdown() }
}
