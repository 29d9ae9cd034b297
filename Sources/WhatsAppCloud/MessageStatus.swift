import Foundation

/// One element of `value.statuses[]`: what happened to a message we sent.
/// Order is not guaranteed and duplicates happen; see `DeliveryStatus.isAdvance(from:)`.
public struct MessageStatus: Decodable, Sendable {
    /// The `wamid.…` of the message we sent.
    public var id: String
    public var recipientID: String?
    public var recipientUserID: String?
    public var status: DeliveryStatus
    /// The status as Meta wrote it (kept when `status` is `.unknown`).
    public var statusText: String
    public var timestamp: Date
    public var errors: [GraphError]
    public var conversation: Conversation?
    public var pricing: Pricing?
    public var bizOpaqueCallbackData: String?
    /// The element as Meta sent it, kept only when it did not decode: a webhook carries thousands
    /// of statuses a second and the whole body is stored beside them anyway.
    public var raw: JSONValue?
    /// Why the element did not decode; nil for statuses that decoded.
    public var decodingError: String?

    public struct Conversation: Decodable, Sendable, Equatable {
        public var id: String?
        public var originType: String?
        public var expiration: Date?

        enum CodingKeys: String, CodingKey {
            case id, origin
            case expiration = "expiration_timestamp"
        }

        enum OriginKeys: String, CodingKey { case type }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeLenientStringIfPresent(forKey: .id)
            expiration = try container.decodeUnixTimeIfPresent(forKey: .expiration)
            if container.contains(.origin), let origin = try? container.nestedContainer(keyedBy: OriginKeys.self, forKey: .origin) {
                originType = try origin.decodeIfPresent(String.self, forKey: .type)
            }
        }
    }

    public struct Pricing: Decodable, Sendable, Equatable {
        public var billable: Bool?
        /// `marketing`, `utility`, `authentication`, `service`, `referral_conversion`, …
        public var category: String?
        /// `CBP` (per conversation) or `PMP` (per message).
        public var pricingModel: String?
        /// `regular`, `free_customer_service`, `free_entry_point` (per-message pricing).
        public var type: String?

        enum CodingKeys: String, CodingKey {
            case billable, category, type
            case pricingModel = "pricing_model"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            billable = try container.decodeLenientBoolIfPresent(forKey: .billable)
            category = try container.decodeIfPresent(String.self, forKey: .category)
            pricingModel = try container.decodeIfPresent(String.self, forKey: .pricingModel)
            type = try container.decodeIfPresent(String.self, forKey: .type)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, status, timestamp, errors, conversation, pricing
        case recipientID = "recipient_id"
        case recipientUserID = "recipient_user_id"
        case bizOpaqueCallbackData = "biz_opaque_callback_data"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        raw = nil
        id = try container.decodeLenientString(forKey: .id)
        recipientID = try container.decodeLenientStringIfPresent(forKey: .recipientID)
        recipientUserID = try container.decodeLenientStringIfPresent(forKey: .recipientUserID)
        statusText = try container.decode(String.self, forKey: .status)
        status = DeliveryStatus(rawValue: statusText) ?? .unknown
        timestamp = try container.decodeUnixTime(forKey: .timestamp)
        errors = try container.decodeArrayIfPresent([GraphError].self, forKey: .errors)
        conversation = try container.decodeIfPresent(Conversation.self, forKey: .conversation)
        pricing = try container.decodeIfPresent(Pricing.self, forKey: .pricing)
        bizOpaqueCallbackData = try container.decodeIfPresent(String.self, forKey: .bizOpaqueCallbackData)
        decodingError = nil
    }

    /// The stand-in for an element that did not decode.
    init(undecodable raw: JSONValue, error: any Error) {
        self.raw = raw
        id = raw["id"]?.stringValue ?? ""
        recipientID = raw["recipient_id"]?.stringValue
        recipientUserID = raw["recipient_user_id"]?.stringValue
        statusText = raw["status"]?.stringValue ?? ""
        status = .unknown
        if let text = raw["timestamp"]?.stringValue, let seconds = Double(text) {
            timestamp = Date(timeIntervalSince1970: seconds)
        } else if case .number(let seconds) = raw["timestamp"] {
            timestamp = Date(timeIntervalSince1970: seconds)
        } else {
            timestamp = Date(timeIntervalSince1970: 0)
        }
        errors = []
        conversation = nil
        pricing = nil
        bizOpaqueCallbackData = nil
        decodingError = describe(error)
    }
}

/// A sent message's delivery state.
///
/// Statuses arrive out of order and more than once, so a stored status is replaced only when the
/// new one is an advance (`isAdvance(from:)`):
/// - `sent < delivered < read < played`; a status never moves back along this line, and a duplicate is no advance.
/// - `failed` ends a message that has not been delivered (no status yet, or `sent`). After `delivered`,
///   `read` or `played` a `failed` is no advance: one of the user's devices already has it.
/// - `delivered`, `read` and `played` after `failed` do advance: another device of the user received it.
///   A `sent` after `failed` does not.
/// - `deleted` (the user deleted the message) is final: it advances from anything, nothing advances from it.
/// - `warning` (e.g. an unavailable catalog item) and `unknown` are informational: record them,
///   but they advance only a message with no status yet (`warning`) or never (`unknown`).
public enum DeliveryStatus: String, Sendable, CaseIterable {
    case sent, delivered, read, played, failed, deleted, warning, unknown

    /// Position on the delivery line: 1 sent … 4 played; 0 for statuses off that line.
    public var rank: Int {
        switch self {
        case .sent: 1
        case .delivered: 2
        case .read: 3
        case .played: 4
        case .failed, .deleted, .warning, .unknown: 0
        }
    }

    /// Whether this status should replace `current` (nil when the message has no status yet).
    public func isAdvance(from current: DeliveryStatus?) -> Bool {
        guard let current else { return self != .unknown }
        if self == current { return false }
        switch self {
        case .unknown, .warning: return false
        case .deleted: return true
        case .failed:
            return current == .sent || current == .warning || current == .unknown
        case .sent, .delivered, .read, .played:
            switch current {
            case .deleted: return false
            case .failed: return self != .sent
            case .warning, .unknown: return true
            case .sent, .delivered, .read, .played: return rank > current.rank
            }
        }
    }
}
