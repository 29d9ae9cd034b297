import Foundation

/// One element of `value.messages[]`.
///
/// `raw` always holds the element's JSON as received. A message whose element could not be decoded
/// at all still appears, with `content == .unsupported`, what could be read of `id`/`from`/`type`,
/// and the reason in `decodingError`.
public struct InboundMessage: Decodable, Sendable {
    /// The `wamid.…` id; deduplicate on it.
    public var id: String
    /// The sender's WhatsApp id (phone number without `+`); may be absent when only `fromUserID` is given.
    public var from: String?
    /// The sender's business-scoped user id.
    public var fromUserID: String?
    public var timestamp: Date
    public var type: String
    public var content: InboundContent
    public var context: MessageContext?
    public var referral: Referral?
    public var errors: [GraphError]
    public var raw: JSONValue
    /// Why the element did not decode; nil for messages that decoded.
    public var decodingError: String?

    enum CodingKeys: String, CodingKey {
        case id, from, timestamp, type, context, referral, errors
        case fromUserID = "from_user_id"
        case text, image, video, audio, document, sticker, location, contacts, interactive, button, reaction, order, system
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        raw = try JSONValue(from: decoder)
        id = try container.decodeLenientString(forKey: .id)
        from = try container.decodeLenientStringIfPresent(forKey: .from)
        fromUserID = try container.decodeLenientStringIfPresent(forKey: .fromUserID)
        timestamp = try container.decodeUnixTime(forKey: .timestamp)
        type = try container.decode(String.self, forKey: .type)
        context = try container.decodeIfPresent(MessageContext.self, forKey: .context)
        referral = try container.decodeIfPresent(Referral.self, forKey: .referral)
        errors = try container.decodeArrayIfPresent([GraphError].self, forKey: .errors)
        decodingError = nil
        content = try Self.content(of: type, in: container)
    }

    private static func content(of type: String, in container: KeyedDecodingContainer<CodingKeys>) throws -> InboundContent {
        switch type {
        case "text":
            return .text(body: try container.decode(TextBody.self, forKey: .text).body)
        case "image": return .image(try container.decode(InboundMedia.self, forKey: .image))
        case "video": return .video(try container.decode(InboundMedia.self, forKey: .video))
        case "audio": return .audio(try container.decode(InboundMedia.self, forKey: .audio))
        case "document": return .document(try container.decode(InboundMedia.self, forKey: .document))
        case "sticker": return .sticker(try container.decode(InboundMedia.self, forKey: .sticker))
        case "location":
            let location = try container.decode(InboundLocation.self, forKey: .location)
            return .location(latitude: location.latitude, longitude: location.longitude, name: location.name, address: location.address, url: location.url)
        case "contacts": return .contacts(try container.decode([SharedContact].self, forKey: .contacts))
        case "interactive": return .interactive(try container.decode(InteractiveReply.self, forKey: .interactive))
        case "button":
            let button = try container.decode(TemplateButtonReply.self, forKey: .button)
            return .button(payload: button.payload, text: button.text)
        case "reaction":
            let reaction = try container.decode(InboundReaction.self, forKey: .reaction)
            return .reaction(messageID: reaction.messageID, emoji: reaction.emoji)
        case "order": return .order(try container.decode(Order.self, forKey: .order))
        case "system":
            let system = try container.decode(SystemNotice.self, forKey: .system)
            return .system(body: system.body, kind: system.kind, newWaID: system.newWaID)
        default:
            return .unsupported(type: type)
        }
    }

    /// The stand-in for an element that did not decode.
    init(undecodable raw: JSONValue, error: any Error) {
        self.raw = raw
        id = raw["id"]?.stringValue ?? ""
        from = raw["from"]?.stringValue
        fromUserID = raw["from_user_id"]?.stringValue
        if let text = raw["timestamp"]?.stringValue, let seconds = Double(text) {
            timestamp = Date(timeIntervalSince1970: seconds)
        } else if case .number(let seconds) = raw["timestamp"] {
            timestamp = Date(timeIntervalSince1970: seconds)
        } else {
            timestamp = Date(timeIntervalSince1970: 0)
        }
        type = raw["type"]?.stringValue ?? "unknown"
        content = .unsupported(type: type)
        context = nil
        referral = nil
        errors = []
        decodingError = describe(error)
    }
}

public enum InboundContent: Sendable, Equatable {
    case text(body: String)
    case image(InboundMedia)
    case video(InboundMedia)
    /// `voice == true` for voice notes.
    case audio(InboundMedia)
    case document(InboundMedia)
    case sticker(InboundMedia)
    case location(latitude: Double, longitude: Double, name: String?, address: String?, url: String?)
    case contacts([SharedContact])
    case interactive(InteractiveReply)
    /// A quick-reply button of a template was tapped.
    case button(payload: String?, text: String)
    /// A nil emoji means the reaction was removed.
    case reaction(messageID: String, emoji: String?)
    case order(Order)
    case system(body: String, kind: String?, newWaID: String?)
    /// Meta's own `unsupported` type, or a type this module does not know; the message's `raw` keeps it all.
    case unsupported(type: String)
}

public struct InboundMedia: Decodable, Sendable, Equatable {
    public var id: String
    public var mimeType: String
    public var sha256: String?
    public var caption: String?
    public var filename: String?
    public var voice: Bool
    public var animated: Bool
    /// Some API versions include a download URL right in the webhook.
    public var url: String?

    public init(
        id: String, mimeType: String, sha256: String? = nil, caption: String? = nil, filename: String? = nil,
        voice: Bool = false, animated: Bool = false, url: String? = nil
    ) {
        self.id = id
        self.mimeType = mimeType
        self.sha256 = sha256
        self.caption = caption
        self.filename = filename
        self.voice = voice
        self.animated = animated
        self.url = url
    }

    enum CodingKeys: String, CodingKey {
        case id, sha256, caption, filename, voice, animated, url
        case mimeType = "mime_type"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeLenientString(forKey: .id)
        mimeType = try container.decodeIfPresent(String.self, forKey: .mimeType) ?? "application/octet-stream"
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256)
        caption = try container.decodeIfPresent(String.self, forKey: .caption)
        filename = try container.decodeIfPresent(String.self, forKey: .filename)
        voice = try container.decodeLenientBoolIfPresent(forKey: .voice) ?? false
        animated = try container.decodeLenientBoolIfPresent(forKey: .animated) ?? false
        url = try container.decodeIfPresent(String.self, forKey: .url)
    }
}

/// `context`: the message this one replies to, and forwarding flags.
public struct MessageContext: Decodable, Sendable, Equatable {
    /// The id of the message replied to.
    public var messageID: String?
    /// Who sent the message replied to.
    public var from: String?
    public var forwarded: Bool
    public var frequentlyForwarded: Bool
    public var referredProduct: ReferredProduct?

    public struct ReferredProduct: Decodable, Sendable, Equatable {
        public var catalogID: String
        public var productRetailerID: String

        enum CodingKeys: String, CodingKey {
            case catalogID = "catalog_id"
            case productRetailerID = "product_retailer_id"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            catalogID = try container.decodeLenientString(forKey: .catalogID)
            productRetailerID = try container.decodeLenientString(forKey: .productRetailerID)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, from, forwarded
        case frequentlyForwarded = "frequently_forwarded"
        case referredProduct = "referred_product"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try container.decodeLenientStringIfPresent(forKey: .id)
        from = try container.decodeLenientStringIfPresent(forKey: .from)
        forwarded = try container.decodeLenientBoolIfPresent(forKey: .forwarded) ?? false
        frequentlyForwarded = try container.decodeLenientBoolIfPresent(forKey: .frequentlyForwarded) ?? false
        referredProduct = try container.decodeIfPresent(ReferredProduct.self, forKey: .referredProduct)
    }
}

/// `referral`: the message came from a click-to-WhatsApp ad or post.
public struct Referral: Decodable, Sendable, Equatable {
    public var sourceURL: String?
    public var sourceType: String?
    public var sourceID: String?
    public var headline: String?
    public var body: String?
    public var mediaType: String?
    public var imageURL: String?
    public var videoURL: String?
    public var thumbnailURL: String?
    /// Click-to-WhatsApp click id, for conversion reporting.
    public var ctwaClid: String?
    public var welcomeMessage: String?

    enum CodingKeys: String, CodingKey {
        case headline, body
        case sourceURL = "source_url"
        case sourceType = "source_type"
        case sourceID = "source_id"
        case mediaType = "media_type"
        case imageURL = "image_url"
        case videoURL = "video_url"
        case thumbnailURL = "thumbnail_url"
        case ctwaClid = "ctwa_clid"
        case welcomeMessage = "welcome_message"
    }

    enum WelcomeKeys: String, CodingKey { case text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sourceURL = try container.decodeIfPresent(String.self, forKey: .sourceURL)
        sourceType = try container.decodeIfPresent(String.self, forKey: .sourceType)
        sourceID = try container.decodeLenientStringIfPresent(forKey: .sourceID)
        headline = try container.decodeIfPresent(String.self, forKey: .headline)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        mediaType = try container.decodeIfPresent(String.self, forKey: .mediaType)
        imageURL = try container.decodeIfPresent(String.self, forKey: .imageURL)
        videoURL = try container.decodeIfPresent(String.self, forKey: .videoURL)
        thumbnailURL = try container.decodeIfPresent(String.self, forKey: .thumbnailURL)
        ctwaClid = try container.decodeIfPresent(String.self, forKey: .ctwaClid)
        if container.contains(.welcomeMessage), let welcome = try? container.nestedContainer(keyedBy: WelcomeKeys.self, forKey: .welcomeMessage) {
            welcomeMessage = try welcome.decodeIfPresent(String.self, forKey: .text)
        }
    }
}

struct TextBody: Decodable {
    var body: String
}

struct InboundLocation: Decodable {
    var latitude: Double
    var longitude: Double
    var name: String?
    var address: String?
    var url: String?

    enum CodingKeys: String, CodingKey { case latitude, longitude, name, address, url }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latitude = try container.decodeLenientDouble(forKey: .latitude)
        longitude = try container.decodeLenientDouble(forKey: .longitude)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        address = try container.decodeIfPresent(String.self, forKey: .address)
        url = try container.decodeIfPresent(String.self, forKey: .url)
    }
}

struct TemplateButtonReply: Decodable {
    var payload: String?
    var text: String
}

struct InboundReaction: Decodable {
    var messageID: String
    var emoji: String?

    enum CodingKeys: String, CodingKey {
        case emoji
        case messageID = "message_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try container.decodeLenientString(forKey: .messageID)
        let emoji = try container.decodeIfPresent(String.self, forKey: .emoji)
        self.emoji = emoji?.isEmpty == true ? nil : emoji
    }
}

struct SystemNotice: Decodable {
    var body: String
    var kind: String?
    var newWaID: String?

    enum CodingKeys: String, CodingKey {
        case body
        case kind = "type"
        case newWaID = "new_wa_id"
        case waID = "wa_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        body = try container.decodeIfPresent(String.self, forKey: .body) ?? ""
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        newWaID = try container.decodeLenientStringIfPresent(forKey: .newWaID) ?? container.decodeLenientStringIfPresent(forKey: .waID)
    }
}
