import Foundation

/// Meta's answer to a send: `{"messaging_product":"whatsapp","contacts":[{"input":..,"wa_id":..}],"messages":[{"id":"wamid..","message_status":"accepted"}]}`.
public struct SendResult: Decodable, Sendable, Equatable {
    /// The `wamid.…` that status webhooks will carry.
    public var messageID: String
    public var waID: String?
    /// `accepted`, `held_for_quality_assessment`, `paused` (marketing), when given.
    public var messageStatus: String?

    public init(messageID: String, waID: String?, messageStatus: String?) {
        self.messageID = messageID
        self.waID = waID
        self.messageStatus = messageStatus
    }

    struct Contact: Decodable { var wa_id: String? }
    struct Message: Decodable { var id: String; var message_status: String? }

    enum CodingKeys: String, CodingKey { case contacts, messages }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let messages = try container.decode([Message].self, forKey: .messages)
        guard let first = messages.first else {
            throw DecodingError.dataCorruptedError(forKey: .messages, in: container, debugDescription: "no message id in the answer")
        }
        messageID = first.id
        messageStatus = first.message_status
        waID = try container.decodeIfPresent([Contact].self, forKey: .contacts)?.first?.wa_id
    }
}

/// `GET /{media_id}`: where to download an inbound (or uploaded) media object. The URL is valid for about 5 minutes.
public struct MediaInfo: Decodable, Sendable, Equatable {
    public var url: URL
    public var mimeType: String
    public var sha256: String
    public var fileSize: Int
    public var id: String

    public init(url: URL, mimeType: String, sha256: String, fileSize: Int, id: String) {
        self.url = url
        self.mimeType = mimeType
        self.sha256 = sha256
        self.fileSize = fileSize
        self.id = id
    }

    enum CodingKeys: String, CodingKey {
        case url, sha256, id
        case mimeType = "mime_type"
        case fileSize = "file_size"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .url)
        guard let url = URL(string: text), url.scheme != nil else {
            throw DecodingError.dataCorruptedError(forKey: .url, in: container, debugDescription: "not a URL")
        }
        self.url = url
        mimeType = try container.decode(String.self, forKey: .mimeType)
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256) ?? ""
        fileSize = try container.decodeLenientIntIfPresent(forKey: .fileSize) ?? 0
        id = try container.decodeLenientString(forKey: .id)
    }
}

/// `GET /{phone_number_id}?fields=…`: a business phone number's state.
public struct PhoneNumberInfo: Decodable, Sendable, Equatable {
    public static let fields = "id,display_phone_number,verified_name,quality_rating,code_verification_status,throughput,name_status,messaging_limit_tier"

    public var id: String
    public var displayPhoneNumber: String
    public var verifiedName: String
    /// `GREEN`, `YELLOW`, `RED`, `UNKNOWN`, kept as sent.
    public var qualityRating: String
    public var codeVerificationStatus: String?
    /// `STANDARD`, `HIGH`, `NOT_APPLICABLE` (from `throughput.level`).
    public var throughputLevel: String?
    public var nameStatus: String?
    /// `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`, …, kept as sent.
    public var messagingLimitTier: String?

    public init(
        id: String, displayPhoneNumber: String, verifiedName: String, qualityRating: String,
        codeVerificationStatus: String? = nil, throughputLevel: String? = nil, nameStatus: String? = nil, messagingLimitTier: String? = nil
    ) {
        self.id = id
        self.displayPhoneNumber = displayPhoneNumber
        self.verifiedName = verifiedName
        self.qualityRating = qualityRating
        self.codeVerificationStatus = codeVerificationStatus
        self.throughputLevel = throughputLevel
        self.nameStatus = nameStatus
        self.messagingLimitTier = messagingLimitTier
    }

    /// The messaging limit the tier names: `.limited(2000)` for `TIER_2K`, `.unlimited`, or nil for
    /// a tier this client cannot read.
    public var messagingLimit: MessagingLimit? { messagingLimitTier.flatMap(MessagingLimit.init(tier:)) }

    enum CodingKeys: String, CodingKey {
        case id, throughput
        case messagingLimitTier = "messaging_limit_tier"
        case displayPhoneNumber = "display_phone_number"
        case verifiedName = "verified_name"
        case qualityRating = "quality_rating"
        case codeVerificationStatus = "code_verification_status"
        case nameStatus = "name_status"
    }

    struct Throughput: Decodable { var level: String? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeLenientString(forKey: .id)
        displayPhoneNumber = try container.decodeLenientStringIfPresent(forKey: .displayPhoneNumber) ?? ""
        verifiedName = try container.decodeIfPresent(String.self, forKey: .verifiedName) ?? ""
        qualityRating = try container.decodeIfPresent(String.self, forKey: .qualityRating) ?? "UNKNOWN"
        codeVerificationStatus = try container.decodeIfPresent(String.self, forKey: .codeVerificationStatus)
        throughputLevel = try container.decodeIfPresent(Throughput.self, forKey: .throughput)?.level
        nameStatus = try container.decodeIfPresent(String.self, forKey: .nameStatus)
        messagingLimitTier = try container.decodeIfPresent(String.self, forKey: .messagingLimitTier)
    }
}

/// How many different customers a business may start conversations with in a moving 24 hours.
public enum MessagingLimit: Sendable, Equatable {
    case limited(Int)
    case unlimited

    /// Reads Meta's tier names: `TIER_250`, `TIER_2K`, `TIER_100K`, `TIER_UNLIMITED`.
    public init?(tier: String) {
        let name = tier.uppercased()
        guard name.hasPrefix("TIER_") else { return nil }
        let size = name.dropFirst("TIER_".count)
        if size == "UNLIMITED" { self = .unlimited; return }
        let thousands = size.hasSuffix("K")
        guard let number = Int(thousands ? size.dropLast() : size), number > 0 else { return nil }
        self = .limited(thousands ? number * 1000 : number)
    }
}

/// A page of `GET /{waba_id}/message_templates`.
public struct TemplatePage: Sendable {
    public var templates: [MessageTemplate]
    /// `paging.cursors.after`, only when `paging.next` says there is another page.
    public var nextCursor: String?

    public init(templates: [MessageTemplate], nextCursor: String?) {
        self.templates = templates
        self.nextCursor = nextCursor
    }
}

extension TemplatePage: Decodable {
    struct Paging: Decodable {
        struct Cursors: Decodable { var after: String? }
        var cursors: Cursors?
        var next: String?
    }

    enum CodingKeys: String, CodingKey { case data, paging }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var list = try container.nestedUnkeyedContainer(forKey: .data)
        // A template that does not decode is skipped rather than failing the whole sync.
        templates = try decodeEachElement(&list) { _, _ in nil }
        let paging = try container.decodeIfPresent(Paging.self, forKey: .paging)
        nextCursor = paging?.next != nil ? paging?.cursors?.after : nil
    }
}

/// A message template as Graph lists it. `components` keeps the structured reading; `rawComponents` keeps everything.
public struct MessageTemplate: Sendable, Codable, Equatable {
    public static let fields = "id,name,language,status,category,components,quality_score,rejected_reason,parameter_format"

    public var id: String
    public var name: String
    public var language: String
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, `IN_APPEAL`, … kept as sent.
    public var status: String
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    public var category: String
    public var components: [Component]
    public var rawComponents: JSONValue
    public var qualityScore: String?
    public var rejectedReason: String?
    /// `positional` or `named`, when Graph says.
    public var parameterFormat: String?

    public struct Component: Sendable, Equatable {
        /// `HEADER`, `BODY`, `FOOTER`, `BUTTONS`, …
        public var type: String
        /// For headers: `TEXT`, `IMAGE`, `VIDEO`, `DOCUMENT`, `LOCATION`.
        public var format: String?
        public var text: String?
        public var buttons: [Button]

        public struct Button: Sendable, Equatable {
            /// `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `COPY_CODE`, `OTP`, `FLOW`, …
            public var type: String
            public var text: String?
            public var url: String?
            public var phoneNumber: String?
        }

        init(_ raw: JSONValue) {
            type = raw["type"]?.stringValue ?? ""
            format = raw["format"]?.stringValue
            text = raw["text"]?.stringValue
            buttons = (raw["buttons"]?.arrayValue ?? []).map { button in
                Button(
                    type: button["type"]?.stringValue ?? "", text: button["text"]?.stringValue, url: button["url"]?.stringValue,
                    phoneNumber: button["phone_number"]?.stringValue)
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, language, status, category, components
        case qualityScore = "quality_score"
        case rejectedReason = "rejected_reason"
        case parameterFormat = "parameter_format"
    }

    struct QualityScore: Codable { var score: String? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeLenientString(forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        language = try container.decode(String.self, forKey: .language)
        status = try container.decode(String.self, forKey: .status)
        category = try container.decodeIfPresent(String.self, forKey: .category) ?? ""
        rawComponents = try container.decodeIfPresent(JSONValue.self, forKey: .components) ?? .array([])
        components = (rawComponents.arrayValue ?? []).map(Component.init)
        qualityScore = try? container.decodeIfPresent(QualityScore.self, forKey: .qualityScore)?.score
        rejectedReason = try container.decodeIfPresent(String.self, forKey: .rejectedReason)
        parameterFormat = try container.decodeIfPresent(String.self, forKey: .parameterFormat)
    }

    /// Encodes Graph's shape, so a stored template decodes again.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(language, forKey: .language)
        try container.encode(status, forKey: .status)
        try container.encode(category, forKey: .category)
        try container.encode(rawComponents, forKey: .components)
        if let qualityScore { try container.encode(QualityScore(score: qualityScore), forKey: .qualityScore) }
        try container.encodeIfPresent(rejectedReason, forKey: .rejectedReason)
        try container.encodeIfPresent(parameterFormat, forKey: .parameterFormat)
    }

    /// The body text, e.g. `Hi {{1}}` or `Hi {{first_name}}`.
    public var bodyText: String? { components.first { $0.type == "BODY" }?.text }
}
