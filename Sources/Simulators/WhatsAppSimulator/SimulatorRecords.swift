import Foundation

/// An outbound request the simulator accepted.
public struct SentMessage: Sendable, Equatable {
    public var phoneNumberID: String
    public var to: String
    public var type: String
    /// The request body exactly as decoded.
    public var json: JSONValue
    public var wamid: String
    public var time: Date
}

/// A message template on a WhatsApp Business Account.
public struct SimulatedTemplate: Sendable, Equatable {
    public var id: String
    public var wabaID: String
    public var name: String
    public var language: String
    public var category: String
    /// APPROVED, PENDING, REJECTED, PAUSED or DISABLED.
    public var status: String
    public var components: [JSONValue]

    var json: JSONValue {
        [
            "id": .string(id), "name": .string(name), "language": .string(language), "category": .string(category),
            "status": .string(status), "components": .array(components), "parameter_format": "POSITIONAL",
        ]
    }
}

/// Bytes the simulator hosts for `GET /{media-id}` and its download URL.
struct StoredMedia: Sendable {
    var id: String
    var phoneNumberID: String
    var bytes: Data
    var mimeType: String
    var filename: String?
}

/// A customer's message, kept for the service window and for read receipts.
struct InboundRecord: Sendable {
    var wamid: String
    var phoneNumberID: String
    var from: String
    var time: Date
}

/// Failures the next media downloads answer with, for retry tests.
struct DownloadFailures: Sendable {
    var remaining: Int = 0
    var status: UInt = 500
}

/// Everything that changes while the simulator runs; guarded by one lock.
struct SimulatorState: Sendable {
    var webhookURL: URL?
    var sentMessages: [SentMessage] = []
    var readReceipts: [String] = []
    var inbound: [String: InboundRecord] = [:]
    /// Last customer message per "phoneNumberID|waID".
    var lastInbound: [String: Date] = [:]
    var media: [String: StoredMedia] = [:]
    var templates: [SimulatedTemplate] = []
    var brokenTokens: Set<String> = []
    var downloadFailures = DownloadFailures()
    /// Where media URLs point instead of the simulator itself (a test's stand-in for a hostile answer).
    var mediaURLBase: URL?
    var throughput: [String: TokenBucket] = [:]
    var pairRates: [String: TokenBucket] = [:]
    var userIDs: [String: String] = [:]
    var pendingTasks: [UUID: Task<Void, Never>] = [:]
    var webhookFailures: [String] = []
    /// Customers whose messages Meta refuses, with the error code (131026, 131048, 131049).
    var refusedRecipients: [String: Int] = [:]
    /// The code of every send the simulator refused, in order.
    var refusedSends: [Int] = []

    static func pairKey(_ phoneNumberID: String, _ waID: String) -> String { phoneNumberID + "|" + waID }
}
