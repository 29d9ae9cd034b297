@testable import App
import Fluent
import Foundation
import Jobs
import NIOCore
import Testing
import Vapor
import VaporTesting
import WhatsAppCloud
import WhatsAppSimulator

/// The app wired to the Graph API simulator, end to end: the app serves HTTP on a loopback port so the
/// simulator's customers can post signed webhooks to it, and the app's Graph API client talks to the
/// simulator. Both share the test clock. Queued jobs run in the test's own task, in `eventually`,
/// until none is due; `worker: true` runs a job worker in the background as well, as `serve` does.
struct WhatsAppHarness {
    static let appSecret = "harness-app-secret-0123456789"
    static let verifyToken = "harness-verify-token"
    static let number = SimulatedNumber(
        phoneNumberID: "106540352242922", wabaID: "102290129340398", displayPhoneNumber: "+31 20 123 4567",
        verifiedName: "Bakkerij Anna", accessToken: "EAAG-harness-token-number-one"
    )

    let test: TestApp
    let simulator: GraphSimulator
    let owner: Browser
    let organizationID: UUID
    let connectionID: UUID

    var app: Application { test.app }
    var db: any Database { test.db }
    var clock: TestClock { test.clock }
    var scope: TenantScope { TenantScope(organizationID: organizationID, database: db) }

    /// Runs `body` with an organization ("Bakkerij Anna", owner anna@example.com) that has connected `number`.
    static func run(
        statusCallbacks: StatusCallbacks = .off,
        throughputPerSecond: Int = 80,
        variables: [String: String] = [:],
        numbers: [SimulatedNumber] = [number],
        worker: Bool = false,
        _ body: (WhatsAppHarness) async throws -> Void
    ) async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_798_000_000))
        let simulator = GraphSimulator(
            SimulatorConfiguration(numbers: numbers, appSecret: appSecret, throughputPerSecond: throughputPerSecond, statusCallbacks: statusCallbacks),
            now: { clock.now }
        )
        let graphURL = try await simulator.start()
        var environment = [
            "WHATSAPP_GRAPH_URL": graphURL.absoluteString,
            // The simulator serves media on its own loopback origin, as Meta does on lookaside.fbsbx.com.
            "WHATSAPP_MEDIA_HOSTS": graphURL.absoluteString,
            "WHATSAPP_APP_SECRET": appSecret,
            "WHATSAPP_WEBHOOK_VERIFY_TOKEN": verifyToken,
            // Tests move the clock past the 24-hour window; the owner's session should outlive that.
            "SESSION_IDLE_TIMEOUT_MINUTES": "43200",
        ]
        if worker { environment["JOBS_POLL_MILLISECONDS"] = "50" }
        environment.merge(variables) { $1 }
        do {
            try await TestApp.run(variables: environment, clock: clock) { test in
                try await test.app.server.start(address: .hostname("127.0.0.1", port: 0))
                let port = try #require(test.app.http.server.shared.localAddress?.port)
                simulator.setWebhookURL(URL(string: "http://127.0.0.1:\(port)/api/webhooks/whatsapp")!)
                let runner =
                    worker
                    ? try BackgroundJobs.Runner(jobs: test.app.backgroundJobs, database: test.db, context: test.app.context, logger: Logger(label: "test.jobs"))
                    : nil
                let running = runner.map { runner in Task { await runner.run() } }
                do {
                    let owner = try await test.signUp(email: "anna@example.com")
                    let organization = try await test.organization(named: "Bakkerij Anna")
                    let first = numbers[0]
                    let response = try await owner.api(
                        .POST, "/api/v1/whatsapp/connections",
                        json: """
                            {"phone_number_id":"\(first.phoneNumberID)","business_account_id":"\(first.wabaID)","access_token":"\(first.accessToken)"}
                            """)
                    #expect(response.status == .created, "connect failed: \(response.body.string)")
                    let connection = try #require(try await WhatsAppConnection.query(on: test.db).filter(\.$phoneNumberID == first.phoneNumberID).first())
                    let harness = WhatsAppHarness(
                        test: test, simulator: simulator, owner: owner, organizationID: organization.id!, connectionID: connection.id!)
                    try await body(harness)
                } catch {
                    runner?.stop(); await running?.value
                    await test.app.server.shutdown()
                    throw error
                }
                runner?.stop(); await running?.value
                await test.app.server.shutdown()
            }
        } catch {
            try? await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    func customer(_ waID: String = "31612345678", name: String = "Jan Jansen") -> SimulatedCustomer {
        simulator.customer(waID: waID, name: name, to: Self.number.phoneNumberID)
    }

    /// Runs the due jobs until none is due, then checks `condition`, again and again until it holds
    /// (webhooks from the simulator arrive on their own time), failing the test after `timeout`.
    func eventually(_ what: String = "condition", timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        try await runJobsUntilIdle()
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                throw TimedOut(what: what)
            }
            if try await runJobsUntilIdle() == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// Runs the due jobs (and those they queue) in this task until none is due; returns how many ran.
    @discardableResult
    func runJobsUntilIdle() async throws -> Int {
        try await test.runJobsUntilIdle()
    }

    struct TimedOut: Error { var what: String }

    func message(wamid: String) async throws -> Message? {
        try await Message.query(on: db).filter(\.$wamid == wamid).first()
    }

    /// Waits until the message with this WhatsApp id is stored, and returns it.
    func stored(_ wamid: String) async throws -> Message {
        try await eventually("message \(wamid)") { try await message(wamid: wamid) != nil }
        return try #require(try await message(wamid: wamid))
    }

    func conversation(with waID: String) async throws -> Conversation? {
        guard let contact = try await scope.query(Contact.self).filter(\.$waID == waID).first() else { return nil }
        return try await scope.query(Conversation.self).filter(\.$contact.$id == contact.requireID()).first()
    }

    /// Signs and posts a raw webhook body the way Meta would, straight to the app.
    func postWebhook(_ body: String, signature: String? = nil, path: String = "/api/webhooks/whatsapp") async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: WebhookSignature.headerName, value: signature ?? WebhookSignature.header(body: Array(body.utf8), appSecret: Self.appSecret))
        return try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }
}

extension WhatsAppSimulator.JSONValue {
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    subscript(index: Int) -> WhatsAppSimulator.JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
