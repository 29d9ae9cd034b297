@testable import App
import ADSappCore
import Fluent
import Foundation
import NIOCore
import Synchronization
import Testing
import Vapor
import VaporTesting

/// Colleagues of the harness's owner, signed in and working in the harness's organization.
struct Colleague {
    let browser: Browser
    let membership: Membership
    var id: UUID { membership.id! }
}

extension WhatsAppHarness {
    /// Signs up a person and makes them a member of the harness's organization, working in it.
    func colleague(_ name: String, role: Role = .agent) async throws -> Colleague {
        let email = name.lowercased().replacingOccurrences(of: " ", with: ".") + "@example.com"
        let browser = try await test.signUp(name: name, organization: "\(name) home", email: email)
        let membership = try await test.addMember(email: email, to: organizationID, role: role)
        let switched = try await browser.post("/organizations/switch", ["organization_id": organizationID.uuidString])
        #expect(switched.status == .seeOther)
        return Colleague(browser: browser, membership: membership)
    }

    /// An agent who sees only the conversations of their team "Support" (agents no longer see all),
    /// and one conversation of that team: what the visibility tests start from.
    func agentLimitedToTeam(_ name: String, customer waID: String, named customerName: String) async throws -> (
        agent: Colleague, team: Team, teamConversation: Conversation
    ) {
        let agent = try await colleague(name)
        let team = Team(organizationID: organizationID, name: "Support", autoAssign: false, createdAt: clock.now)
        try await team.create(on: db)
        try await TeamMember(organizationID: organizationID, teamID: team.id!, membershipID: agent.id).create(on: db)
        _ = try await owner.api(.PUT, "/api/v1/organization/inbox", json: #"{"agents_see_all":false}"#)
        let ours = try await conversation(of: waID, name: customerName)
        ours.$team.id = team.id
        try await ours.save(on: db)
        return (agent, team, ours)
    }

    var ownerMembership: Membership {
        get async throws {
            try #require(try await scope.query(Membership.self).filter(\.$role == .owner).first())
        }
    }

    /// A conversation with a customer who wrote once, stored.
    func conversation(of waID: String, name: String, saying text: String = "Hallo") async throws -> Conversation {
        _ = try await stored(try await customer(waID, name: name).sendText(text))
        return try #require(try await conversation(with: waID))
    }

    func reload(_ conversation: Conversation) async throws -> Conversation {
        try #require(try await scope.find(Conversation.self, conversation.id))
    }

    /// Connects a live inbox tab as `browser` (optionally resuming after a cursor), collecting what
    /// it receives. It sends the app's own `Origin` (`APP_URL`), as a page of the app would.
    func liveTab(_ browser: Browser, after: Int64? = nil, waitForHello: Bool = true, origin: String? = "http://127.0.0.1:8080", on server: Application? = nil)
        async throws -> LiveTab
    {
        let port = try #require((server ?? app).http.server.shared.localAddress?.port)
        var headers = HTTPHeaders()
        headers.add(name: .cookie, value: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        if let origin { headers.add(name: .origin, value: origin) }
        let tab = LiveTab(runJobs: { [app] in
            try await app.backgroundJobs.runUntilIdle(database: app.db, context: app.context, logger: Logger(label: "test.jobs"))
        })
        try await WebSocket.connect(
            host: "127.0.0.1", port: port, path: "/inbox/live", query: after.map { "after=\($0)" }, headers: headers, on: app.eventLoopGroup
        ) { socket in
            tab.attach(socket)
        }.get()
        if waitForHello { try await tab.waitFor("the hello") { $0.contains { $0.type == "hello" } } }
        return tab
    }
}

/// The receiving end of one `/inbox/live` WebSocket.
final class LiveTab: Sendable {
    struct Received: Decodable, Sendable {
        var type: String
        var id: Int64?
        var kind: String?
        var conversation: UUID?
        var data: [String: String]?
        var cursor: Int64?
        /// Presence: who is looking.
        var by: String?
    }

    private let state = Mutex<(socket: WebSocket?, received: [Received])>((nil, []))
    /// Runs the app's due jobs until none is due (what the tab hears often comes from a job); returns how many ran.
    private let runJobs: @Sendable () async throws -> Int

    init(runJobs: @escaping @Sendable () async throws -> Int) {
        self.runJobs = runJobs
    }

    /// Whether the server closed (or the test closed) the socket.
    var isClosed: Bool { state.withLock { $0.socket?.isClosed ?? true } }

    /// Whether the server closed the socket as a policy violation (1008: its access ended).
    var closedForPolicy: Bool { state.withLock { $0.socket?.closeCode == .policyViolation } }

    func attach(_ socket: WebSocket) {
        state.withLock { $0.socket = socket }
        socket.onText { [weak self] _, text in
            guard let message = try? JSONDecoder().decode(Received.self, from: Data(text.utf8)) else { return }
            self?.state.withLock { $0.received.append(message) }
        }
    }

    var received: [Received] { state.withLock { $0.received } }
    var events: [Received] { received.filter { $0.type == "event" } }
    /// Where to resume: the highest cursor received.
    var cursor: Int64? { received.compactMap(\.cursor).max() }

    func send(_ text: String) async throws {
        try await state.withLock { $0.socket }?.send(text)
    }

    func close() async throws {
        try await state.withLock { $0.socket }?.close()
    }

    /// Runs the due jobs and waits until what the tab received satisfies `condition`.
    func waitFor(_ what: String, timeout: Duration = .seconds(10), _ condition: ([Received]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(received) {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what); received \(received.map { "\($0.type) \($0.kind ?? "") \($0.id ?? 0)" })")
                throw WhatsAppHarness.TimedOut(what: what)
            }
            if try await runJobs() == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
    }
}
