import AsyncHTTPClient
import Foundation
import Synchronization
import Testing
import Vapor
import WhatsAppCloud
@testable import WhatsAppSimulator

let appSecret = "test-app-secret"
let business = SimulatedNumber(
    phoneNumberID: "106540352242922", wabaID: "102290129340398", displayPhoneNumber: "+31 20 555 0100",
    verifiedName: "Bakkerij Test", accessToken: "token-business")
let otherBusiness = SimulatedNumber(
    phoneNumberID: "106540352242999", wabaID: "102290129340999", displayPhoneNumber: "+31 20 555 0199",
    verifiedName: "Other Shop", accessToken: "token-other")

/// A tiny app on a free loopback port that keeps every webhook it gets. It answers 200 when the
/// signature checks out with the WhatsAppCloud module's verifier, 401 otherwise.
final class WebhookCollector: Sendable {
    struct Delivery: Sendable {
        var body: Data
        var signature: String?
        var signatureValid: Bool
    }

    private let app: Application
    let url: URL
    private let deliveries = Mutex<[Delivery]>([])

    private init(app: Application, url: URL) {
        self.app = app
        self.url = url
    }

    static func start() async throws -> WebhookCollector {
        let app = try await Application.make(Environment(name: "testing", arguments: ["collector"]))
        app.logger.logLevel = .warning
        let box = Mutex<WebhookCollector?>(nil)
        app.on(.POST, "webhook", body: .collect(maxSize: "10mb")) { req -> HTTPStatus in
            let body = Data(req.body.data.map { Array($0.readableBytesView) } ?? [])
            let header = req.headers.first(name: WebhookSignature.headerName)
            let valid = WebhookSignature.isValid(body: body, header: header, appSecret: appSecret)
            box.withLock { $0 }?.deliveries.withLock { $0.append(Delivery(body: body, signature: header, signatureValid: valid)) }
            return valid ? .ok : .unauthorized
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress!.port!
        let collector = WebhookCollector(app: app, url: URL(string: "http://127.0.0.1:\(port)/webhook")!)
        box.withLock { $0 = collector }
        return collector
    }

    var all: [Delivery] { deliveries.withLock { $0 } }

    /// Waits until `count` deliveries arrived (or fails the test after `timeout` seconds).
    func wait(for count: Int, timeout: Double = 5) async throws -> [Delivery] {
        let deadline = Date().addingTimeInterval(timeout)
        while all.count < count, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let current = all
        #expect(current.count >= count, "expected \(count) webhooks, got \(current.count)")
        return current
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

/// Runs `body` with a started simulator (and a webhook collector) and stops both afterwards.
func withSimulator(
    configure: (inout SimulatorConfiguration) -> Void = { _ in },
    now: @escaping @Sendable () -> Date = Date.init,
    _ body: (GraphSimulator, GraphAPIClient, WebhookCollector) async throws -> Void
) async throws {
    let collector = try await WebhookCollector.start()
    var configuration = SimulatorConfiguration(
        numbers: [business, otherBusiness], appSecret: appSecret, webhookURL: collector.url, statusCallbacks: .off)
    configure(&configuration)
    let simulator = GraphSimulator(configuration, now: now)
    let baseURL = try await simulator.start()
    // Media URLs name the simulator's own loopback origin: let the token go there, as WHATSAPP_MEDIA_HOSTS does for the app.
    let client = GraphAPIClient(
        httpClient: HTTPClient.shared, baseURL: baseURL, version: "v23.0",
        mediaHosts: MediaHosts([try #require(MediaHosts.Origin(parsing: baseURL.absoluteString))])
    )
    do {
        try await body(simulator, client, collector)
    } catch {
        try await simulator.shutdown()
        try await collector.stop()
        throw error
    }
    try await simulator.shutdown()
    try await collector.stop()
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_798_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// A raw request to the simulator, for what the client would never send.
func rawRequest(
    _ method: HTTPMethod, _ url: String, token: String? = business.accessToken, json: String? = nil
) async throws -> (status: UInt, body: WhatsAppSimulator.JSONValue) {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let json {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    let body = (try? WhatsAppSimulator.JSONValue.decode(Data(bytes.readableBytesView))) ?? .null
    return (response.status.code, body)
}

/// Expects `work` to fail with a Graph error of `code` and returns it.
@discardableResult
func expectGraphError(_ code: Int, _ work: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> GraphError? {
    do {
        try await work()
        Issue.record("expected Graph error \(code), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as GraphError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected Graph error \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
