import Foundation
import Synchronization
import SimulatorSupport
import Vapor

/// A loopback WhatsApp Graph API: accepts what the Cloud API accepts, answers what it answers, and
/// plays customers who send signed webhooks to the app. Written apart from the app's WhatsApp client
/// so the two check each other.
public final class GraphSimulator: Sendable {
    public let configuration: SimulatorConfiguration
    let now: @Sendable () -> Date
    let state: Mutex<SimulatorState>
    let sender: WebhookSender
    private let server = LoopbackServer()
    private let sentLog: Mutex<FileHandle?>
    private let webhookLog: Mutex<FileHandle?>

    public init(_ configuration: SimulatorConfiguration, now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.now = now
        self.sender = WebhookSender(appSecret: configuration.appSecret)
        var initial = SimulatorState()
        initial.webhookURL = configuration.webhookURL
        self.state = Mutex(initial)
        self.sentLog = Mutex(Self.logFile(configuration.sentLog))
        self.webhookLog = Mutex(Self.logFile(configuration.webhookLog))
    }

    private static func logFile(_ url: URL?) -> FileHandle? {
        guard let url, FileManager.default.createFile(atPath: url.path, contents: nil) else { return nil }
        return try? FileHandle(forWritingTo: url)
    }

    /// Appends an accepted message to the sent log, if there is one.
    func logSent(_ message: SentMessage) {
        sentLog.withLock { handle in
            guard let handle else { return }
            let callback = message.json["biz_opaque_callback_data"]?.string ?? ""
            let time = String(format: "%.3f", Date().timeIntervalSince1970)
            handle.write(Data("\(message.to)\t\(message.wamid)\t\(callback)\t\(time)\n".utf8))
        }
    }

    private func logWebhook(started: Date, status: UInt) {
        webhookLog.withLock { handle in
            guard let handle else { return }
            let line = String(format: "%.3f\t%.2f\t%d\n", started.timeIntervalSince1970, Date().timeIntervalSince(started) * 1000, status)
            handle.write(Data(line.utf8))
        }
    }

    // MARK: Server

    /// Starts serving on `host:port` (port 0 picks a free one) and returns the base URL, e.g. `http://127.0.0.1:51234`.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> URL {
        try await server.start(name: "whatsapp-simulator", host: host, port: port) { app in
            app.middleware.use(GraphErrorMiddleware())
            GraphRoutes(simulator: self).register(on: app)
        }
    }

    /// Stops serving and cancels status callbacks and template approvals not yet sent.
    public func shutdown() async throws {
        let tasks = state.withLock { state in
            defer { state.pendingTasks = [:] }
            return Array(state.pendingTasks.values)
        }
        tasks.forEach { $0.cancel() }
        try await server.shutdown()
    }

    /// The URL `start` returned, while running.
    public var baseURL: URL? { server.baseURL }

    // MARK: Inspection for tests

    /// Every outbound request the simulator accepted, oldest first.
    public var sentMessages: [SentMessage] { state.withLock { $0.sentMessages } }
    /// Ids of customers' messages the business marked as read.
    public var readReceipts: [String] { state.withLock { $0.readReceipts } }
    /// Templates of every WABA, in creation order.
    public var templates: [SimulatedTemplate] { state.withLock { $0.templates } }
    /// Status callbacks or template webhooks that could not be delivered, described.
    public var webhookFailures: [String] { state.withLock { $0.webhookFailures } }
    public var webhookURL: URL? { state.withLock { $0.webhookURL } }

    public func setWebhookURL(_ url: URL?) {
        state.withLock { $0.webhookURL = url }
    }

    /// From now on every call with this number's token fails with 190 (HTTP 401), as after a revoked token.
    public func breakToken(for phoneNumberID: String) {
        guard let token = number(phoneNumberID)?.accessToken else { return }
        state.withLock { _ = $0.brokenTokens.insert(token) }
    }

    public func restoreToken(for phoneNumberID: String) {
        guard let token = number(phoneNumberID)?.accessToken else { return }
        state.withLock { _ = $0.brokenTokens.remove(token) }
    }

    /// From now on messages to this customer are refused with `code`: 131026 (undeliverable),
    /// 131048 (spam rate limit) or 131049 (Meta chose not to deliver).
    public func refuseMessages(to waID: String, code: Int) {
        state.withLock { $0.refusedRecipients[waID] = code }
    }

    /// The error code of every send refused so far (throughput, pair rate, refused customers), in order.
    public var refusedSends: [Int] { state.withLock { $0.refusedSends } }

    /// The next `count` media downloads fail with `status` (500 or 404 are the useful ones).
    public func failNextMediaDownloads(_ count: Int, status: UInt = 500) {
        state.withLock { $0.downloadFailures = DownloadFailures(remaining: count, status: status) }
    }

    /// From now on media URLs name `base` instead of the simulator (nil: the simulator again), as a
    /// wrong or hostile Graph answer would: tests check that the access token does not follow.
    public func pointMediaURLs(at base: URL?) {
        state.withLock { $0.mediaURLBase = base }
    }

    /// The bytes behind a media id, uploaded by the app or sent by a customer.
    public func mediaBytes(_ mediaID: String) -> Data? {
        state.withLock { $0.media[mediaID]?.bytes }
    }

    // MARK: Numbers

    func number(_ phoneNumberID: String) -> SimulatedNumber? {
        configuration.numbers.first { $0.phoneNumberID == phoneNumberID }
    }

    var defaultNumber: SimulatedNumber {
        guard let first = configuration.numbers.first else {
            preconditionFailure("SimulatorConfiguration.numbers is empty: configure at least one number")
        }
        return first
    }

    /// Opens (or refreshes) the customer-service window, as a customer's message does.
    func recordInbound(_ record: InboundRecord) {
        state.withLock { state in
            state.inbound[record.wamid] = record
            state.lastInbound[SimulatorState.pairKey(record.phoneNumberID, record.from)] = record.time
        }
    }

    /// Keeps a task until it finishes, so `shutdown` can cancel it.
    func track(_ work: @escaping @Sendable () async -> Void) {
        let id = UUID()
        let task = Task { [weak self] in
            await work()
            _ = self?.state.withLock { $0.pendingTasks.removeValue(forKey: id) }
        }
        state.withLock { $0.pendingTasks[id] = task }
    }

    /// Posts a webhook body in the background, recording failures instead of throwing.
    func postInBackground(_ body: JSONValue) {
        track { [weak self] in await self?.deliver(body) }
    }

    /// Posts a webhook body now, again with backoff while it fails (for `webhookRetryFor` seconds),
    /// recording the failure instead of throwing when it gives up.
    func deliver(_ body: JSONValue) async {
        guard let url = webhookURL else { return }
        let giveUp = ContinuousClock.now + .milliseconds(Int(configuration.webhookRetryFor * 1000))
        var pause = Duration.milliseconds(250)
        while true {
            let failure: String
            let started = Date()
            do {
                let status = try await sender.post(body.encoded(), to: url)
                logWebhook(started: started, status: status.code)
                if (200..<300).contains(status.code) { return }
                failure = "HTTP \(status.code) from \(url)"
            } catch {
                logWebhook(started: started, status: 0)
                if Task.isCancelled { return }
                failure = "\(error)"
            }
            guard ContinuousClock.now + pause < giveUp, (try? await Task.sleep(for: pause)) != nil else {
                state.withLock { $0.webhookFailures.append(failure) }
                return
            }
            pause = min(pause * 2, .seconds(5))
        }
    }

    // MARK: Raw webhooks

    /// Posts `body` to the webhook URL as Meta would, signed unless `signature` replaces the header value.
    public func postWebhook(_ body: Data, signature: String? = nil) async throws -> HTTPStatus {
        guard let url = webhookURL else { throw SimulatorError.noWebhookURL }
        return try await sender.post(body, to: url, signature: signature)
    }

    /// The `X-Hub-Signature-256` value Meta would send for `body`.
    public func signature(of body: Data) -> String {
        WebhookSender.signature(of: body, appSecret: configuration.appSecret)
    }
}

public enum SimulatorError: Error, Equatable, CustomStringConvertible {
    case noWebhookURL
    case webhookRejected(status: UInt)
    case unknownPhoneNumber(String)
    case unknownTemplate(String)

    public var description: String {
        switch self {
        case .noWebhookURL: "the simulator has no webhook URL to post to"
        case .webhookRejected(let status): "the webhook endpoint answered HTTP \(status)"
        case .unknownPhoneNumber(let id): "no simulated number has phone number id \(id)"
        case .unknownTemplate(let name): "no template named \(name)"
        }
    }
}
