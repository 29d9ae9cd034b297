import Fluent
import Foundation
import Jobs
import Vapor
import WhatsAppSimulator

/// `adsapp serve --demo`: the app with a demo organization whose WhatsApp number lives in the
/// built-in Graph API simulator, and simulated customers who keep writing, so a new user sees a
/// living inbox without a Meta account. Sign in with `DemoMode.email` / `DemoMode.password`, and
/// in a second browser as the colleague `DemoMode.agentEmail` (same password) to see the shared
/// inbox work between two people.
enum DemoMode {
    static let email = "demo@adsapp.local"
    static let agentEmail = "agent@adsapp.local"
    static let password = "sourdough-starter-2026"
    static let organizationName = "Demo Bakery"
    static let number = SimulatedNumber(
        phoneNumberID: "100000000000001", wabaID: "200000000000001", displayPhoneNumber: "+31 20 555 0100",
        verifiedName: "Demo Bakery", accessToken: "demo-access-token-not-a-secret"
    )

    /// Starts the simulator and returns the settings that point the app at it.
    static func startSimulator(appURL: URL) async throws -> (simulator: GraphSimulator, variables: [String: String]) {
        let appSecret = "demo-app-secret-" + UUID().uuidString
        let simulator = GraphSimulator(SimulatorConfiguration(
            numbers: [number], appSecret: appSecret,
            webhookURL: URL(string: WhatsAppWebhookURLs.platform(appURL: appURL))!,
            statusCallbacks: StatusCallbacks(sentAfter: 0.3, deliveredAfter: 1.0, readAfter: 4.0),
            templateApprovalDelay: 5
        ))
        let graphURL = try await simulator.start()
        _ = simulator.addTemplate(name: "order_ready", language: "en_US", category: "UTILITY", body: "Hi {{1}}, your order {{2}} is ready for pickup.")
        _ = simulator.addTemplate(name: "bestelling_klaar", language: "nl", category: "UTILITY", body: "Hoi {{1}}, je bestelling {{2}} ligt klaar.")
        _ = simulator.addTemplate(name: "weekend_offer", language: "en_US", category: "MARKETING", body: "This weekend: two sourdough loaves for the price of one!")
        return (simulator, [
            "WHATSAPP_GRAPH_URL": graphURL.absoluteString,
            // Media downloads take the token only to the hosts allowed: here the simulator's loopback origin.
            "WHATSAPP_MEDIA_HOSTS": graphURL.absoluteString,
            "WHATSAPP_APP_SECRET": appSecret,
            "WHATSAPP_WEBHOOK_VERIFY_TOKEN": "demo-verify-token",
        ])
    }

    /// Makes the demo person, organization and connection on first start; later starts reuse them.
    static func seed(_ app: Application) async throws {
        let context = app.context
        let user: User
        if let existing = try await User.query(on: app.db).filter(\.$email == email).first() {
            user = existing
        } else {
            let passwords = Passwords(cost: context.configuration.bcryptCost, threadPool: app.threadPool)
            user = try await Registration(database: app.db, passwords: passwords, now: context.dependencies.now())
                .register(.init(name: "Demo Owner", organization: organizationName, email: email, password: password)).user
        }
        let memberships = try await Memberships(database: app.db).all(userID: try user.requireID())
        guard let organizationID = memberships.first?.membership.organizationID else { return }
        let scope = TenantScope(organizationID: organizationID, database: app.db)
        if try await scope.query(WhatsAppConnection.self).first() == nil {
            let jobs = app.backgroundJobs.store(app.db, context)
            _ = try await ConnectionSetup(scope: scope, services: app.whatsApp, jobs: jobs, now: context.dependencies.now())
                .connect(ConnectionInput(phoneNumberID: number.phoneNumberID, businessAccountID: number.wabaID, accessToken: number.accessToken))
        }
        try await seedTeam(app, scope)
    }

    /// A colleague, a team with both members, tags and canned responses: the shared inbox's parts.
    private static func seedTeam(_ app: Application, _ scope: TenantScope) async throws {
        guard try await User.query(on: app.db).filter(\.$email == agentEmail).first() == nil else { return }
        let now = app.context.dependencies.now()
        let passwords = Passwords(cost: app.context.configuration.bcryptCost, threadPool: app.threadPool)
        let agent = User(email: agentEmail, name: "Demo Agent", passwordHash: try await passwords.hash(password), language: nil, createdAt: now)
        try await scope.transaction { scope in
            try await agent.create(on: scope.database)
            let agentMembership = Membership(organizationID: scope.organizationID, userID: agent.id!, role: .agent, createdAt: now)
            try await agentMembership.create(on: scope.database)
            let team = Team(organizationID: scope.organizationID, name: "Bakery counter", autoAssign: false, createdAt: now)
            try await team.create(on: scope.database)
            try await scope.query(WhatsAppConnection.self).set(\.$team.$id, to: team.id).update()
            for membership in try await scope.query(Membership.self).all() {
                try await TeamMember(organizationID: scope.organizationID, teamID: team.id!, membershipID: membership.id!).create(on: scope.database)
            }
            for name in ["Order", "Complaint", "Wholesale"] {
                try await Tag(organizationID: scope.organizationID, name: name, createdAt: now).create(on: scope.database)
            }
            let answers = [
                ("thanks", "Thank you {{first_name}}! Anything else we can do for you?"),
                ("hours", "We are open Tuesday to Saturday, 7:00 to 17:00. See you soon, {{first_name}}!"),
                ("bedankt", "Dank je wel {{first_name}}! Kunnen we nog iets voor je doen?"),
            ]
            for (shortcut, body) in answers {
                try await CannedResponse(organizationID: scope.organizationID, shortcut: shortcut, body: body, createdAt: now).create(on: scope.database)
            }
        }
    }
}

/// Seeds the demo once the app has booted and runs the demo customers while it serves.
final class DemoLifecycle: LifecycleHandler {
    let simulator: GraphSimulator
    let customers: DemoCustomers

    init(simulator: GraphSimulator) {
        self.simulator = simulator
        customers = DemoCustomers(simulator: simulator, messagesPerMinute: 8)
    }

    func didBootAsync(_ application: Application) async throws {
        try await DemoMode.seed(application)
        application.logger.notice("Demo: sign in at \(application.context.configuration.appURL.absoluteString)/signin as \(DemoMode.email) with password \(DemoMode.password)")
        customers.start()
    }

    func shutdownAsync(_ application: Application) async {
        customers.stop()
        try? await simulator.shutdown()
    }
}

/// Starts the demo's simulator and registers the demo lifecycle; `variables` then point the app at the simulator.
public func configureDemo(_ app: Application, variables: inout [String: String], environment: Environment) async throws {
    let port = variables["PORT"] ?? "8080"
    let appURL = URL(string: variables["APP_URL"] ?? "http://127.0.0.1:\(port)")!
    let (simulator, settings) = try await DemoMode.startSimulator(appURL: appURL)
    variables.merge(settings) { _, demo in demo }
    app.lifecycle.use(DemoLifecycle(simulator: simulator))
}
