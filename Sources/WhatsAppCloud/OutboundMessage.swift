import Foundation

/// A message to send with `POST /{version}/{phone_number_id}/messages`.
public struct OutboundMessage: Sendable, Equatable {
    /// The recipient's WhatsApp id or phone number (digits, optionally with a leading `+`).
    public var to: String
    public var content: OutboundContent
    /// The id of the message this one replies to (`context.message_id`).
    public var replyTo: String?
    /// Up to 512 characters echoed back in this message's status webhooks.
    public var bizOpaqueCallbackData: String?

    public init(to: String, content: OutboundContent, replyTo: String? = nil, bizOpaqueCallbackData: String? = nil) {
        self.to = to
        self.content = content
        self.replyTo = replyTo
        self.bizOpaqueCallbackData = bizOpaqueCallbackData
    }

    /// The request body Meta expects:
    /// `{"messaging_product":"whatsapp","recipient_type":"individual","to":..,"type":..,<type>:{..},"context":{"message_id":..}}`.
    public func jsonBody() throws -> Data {
        var body: [String: JSONValue] = [
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": .string(to),
            "type": .string(content.typeName),
            content.typeName: content.payload(),
        ]
        if let replyTo { body["context"] = ["message_id": .string(replyTo)] }
        if let bizOpaqueCallbackData { body["biz_opaque_callback_data"] = .string(bizOpaqueCallbackData) }
        return try JSONValue.object(body).encoded()
    }
}

/// Where the media of an outbound message comes from: an uploaded media id, or a public HTTPS link.
public enum MediaReference: Sendable, Equatable {
    case id(String)
    case link(URL)

    func payload(caption: String? = nil, filename: String? = nil) -> JSONValue {
        var object: [String: JSONValue]
        switch self {
        case .id(let id): object = ["id": .string(id)]
        case .link(let url): object = ["link": .string(url.absoluteString)]
        }
        if let caption { object["caption"] = .string(caption) }
        if let filename { object["filename"] = .string(filename) }
        return .object(object)
    }
}

public enum OutboundContent: Sendable, Equatable {
    case text(body: String, previewURL: Bool)
    case image(MediaReference, caption: String?)
    case video(MediaReference, caption: String?)
    case audio(MediaReference)
    case document(MediaReference, caption: String?, filename: String?)
    case sticker(MediaReference)
    case location(latitude: Double, longitude: Double, name: String?, address: String?)
    case template(TemplateMessage)
    case interactiveButtons(InteractiveButtons)
    case interactiveList(InteractiveList)
    /// An empty emoji removes the reaction.
    case reaction(messageID: String, emoji: String)

    /// The message `type` on the wire.
    public var typeName: String {
        switch self {
        case .text: "text"
        case .image: "image"
        case .video: "video"
        case .audio: "audio"
        case .document: "document"
        case .sticker: "sticker"
        case .location: "location"
        case .template: "template"
        case .interactiveButtons, .interactiveList: "interactive"
        case .reaction: "reaction"
        }
    }

    func payload() -> JSONValue {
        switch self {
        case .text(let body, let previewURL):
            return ["body": .string(body), "preview_url": .bool(previewURL)]
        case .image(let media, let caption), .video(let media, let caption):
            return media.payload(caption: caption)
        case .audio(let media), .sticker(let media):
            return media.payload()
        case .document(let media, let caption, let filename):
            return media.payload(caption: caption, filename: filename)
        case .location(let latitude, let longitude, let name, let address):
            var object: [String: JSONValue] = ["latitude": .number(latitude), "longitude": .number(longitude)]
            if let name { object["name"] = .string(name) }
            if let address { object["address"] = .string(address) }
            return .object(object)
        case .template(let template): return template.payload()
        case .interactiveButtons(let buttons): return buttons.payload()
        case .interactiveList(let list): return list.payload()
        case .reaction(let messageID, let emoji):
            return ["message_id": .string(messageID), "emoji": .string(emoji)]
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
