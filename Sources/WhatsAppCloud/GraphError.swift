import Foundation

/// An error reported by Meta: either in a webhook (`errors[{code, title, message, error_data{details}}]`)
/// or as the body of a failed Graph API call (`{"error":{message, type, code, error_subcode, error_data, fbtrace_id}}`).
/// Both shapes decode into this type. `httpStatus` is set when the error came from an HTTP answer.
public struct GraphError: Codable, Sendable, Error, Equatable, CustomStringConvertible {
    public var code: Int
    public var title: String?
    public var message: String?
    public var details: String?
    public var subcode: Int?
    public var type: String?
    public var fbtraceID: String?
    public var httpStatus: Int?

    public init(
        code: Int, title: String? = nil, message: String? = nil, details: String? = nil, subcode: Int? = nil,
        type: String? = nil, fbtraceID: String? = nil, httpStatus: Int? = nil
    ) {
        self.code = code
        self.title = title
        self.message = message
        self.details = details
        self.subcode = subcode
        self.type = type
        self.fbtraceID = fbtraceID
        self.httpStatus = httpStatus
    }

    enum CodingKeys: String, CodingKey {
        case error, code, title, message, details, type
        case errorData = "error_data"
        case subcode = "error_subcode"
        case fbtraceID = "fbtrace_id"
        case httpStatus = "http_status"
        case errorUserTitle = "error_user_title"
        case errorUserMessage = "error_user_msg"
    }

    enum ErrorDataKeys: String, CodingKey {
        case details
    }

    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: CodingKeys.self)
        let container = outer.contains(.error) ? try outer.nestedContainer(keyedBy: CodingKeys.self, forKey: .error) : outer
        code = try container.decodeLenientIntIfPresent(forKey: .code) ?? 0
        title =
            try container.decodeIfPresent(String.self, forKey: .title)
            ?? container.decodeIfPresent(String.self, forKey: .errorUserTitle)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        if container.contains(.errorData), let data = try? container.nestedContainer(keyedBy: ErrorDataKeys.self, forKey: .errorData) {
            details = try data.decodeIfPresent(String.self, forKey: .details)
        }
        if details == nil {
            details =
                try container.decodeIfPresent(String.self, forKey: .errorUserMessage)
                ?? container.decodeIfPresent(String.self, forKey: .details)
        }
        subcode = try container.decodeLenientIntIfPresent(forKey: .subcode)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        fbtraceID = try container.decodeIfPresent(String.self, forKey: .fbtraceID)
        httpStatus = try outer.decodeLenientIntIfPresent(forKey: .httpStatus)
    }

    /// Encodes the webhook shape, plus the HTTP-only fields when present.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encodeIfPresent(title, forKey: .title)
        try container.encodeIfPresent(message, forKey: .message)
        if let details {
            var data = container.nestedContainer(keyedBy: ErrorDataKeys.self, forKey: .errorData)
            try data.encode(details, forKey: .details)
        }
        try container.encodeIfPresent(subcode, forKey: .subcode)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(fbtraceID, forKey: .fbtraceID)
        try container.encodeIfPresent(httpStatus, forKey: .httpStatus)
    }

    public var description: String {
        var text = "WhatsApp error \(code)"
        if let subcode { text += "/\(subcode)" }
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        let words = [title, message, details].compactMap { $0 }.filter { !$0.isEmpty }
        var seen: [String] = []
        for word in words where !seen.contains(word) { seen.append(word) }
        if !seen.isEmpty { text += ": " + seen.joined(separator: " — ") }
        return text
    }

    public var disposition: ErrorDisposition { ErrorDisposition(code: code, httpStatus: httpStatus) }
}

/// What to do about an error, decided by its code (never by its title), per WHATSAPP.md.
public enum ErrorDisposition: Sendable, Equatable {
    /// 131047: the 24-hour window is closed. Offer a template; never retry the free-form send.
    case windowClosed
    /// 131026: the recipient cannot receive the message (not on WhatsApp, old app, terms).
    case undeliverable
    /// 130429: the number's throughput is exceeded. Back off and retry.
    case throughputExceeded
    /// 131056: too many messages to the same recipient. Delay this recipient and retry.
    case pairRateLimited
    /// 131048, 131049: spam rate limit, or Meta chose not to deliver. Stop campaign sends to that user; no retry.
    case spamOrNotDelivered
    /// 131030: the recipient is not in the allowed list of a test number.
    case recipientNotAllowed
    /// 131031, 368: the account is locked or blocked for policy reasons. Alert the org admin.
    case accountBlocked
    /// 80007, 4, 613: rate limits of the WABA or the app. Back off.
    case wabaRateLimited
    /// 190: the access token expired or is invalid. Mark the connection broken.
    case tokenBroken
    /// 1, 2, 131000, 131016, 133004 and HTTP 5xx without a code: temporary trouble at Meta. Retry with backoff.
    case transient
    /// Anything else: no retry.
    case permanent

    public init(code: Int, httpStatus: Int? = nil) {
        switch code {
        case 131047: self = .windowClosed
        case 131026: self = .undeliverable
        case 130429: self = .throughputExceeded
        case 131056: self = .pairRateLimited
        case 131048, 131049: self = .spamOrNotDelivered
        case 131030: self = .recipientNotAllowed
        case 131031, 368: self = .accountBlocked
        case 80007, 4, 613: self = .wabaRateLimited
        case 190: self = .tokenBroken
        case 1, 2, 131000, 131016, 133004: self = .transient
        case 0 where httpStatus == 429: self = .throughputExceeded
        case 0 where (httpStatus ?? 0) >= 500: self = .transient
        default: self = .permanent
        }
    }

    public var isRetryable: Bool {
        switch self {
        case .throughputExceeded, .pairRateLimited, .wabaRateLimited, .transient: true
        case .windowClosed, .undeliverable, .spamOrNotDelivered, .recipientNotAllowed, .accountBlocked, .tokenBroken, .permanent: false
        }
    }
}
