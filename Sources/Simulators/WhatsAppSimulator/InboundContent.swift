import Foundation

/// What a customer can send a business, one case per inbound message type.
public enum InboundContent: Sendable {
    case text(String)
    case image(Data, mimeType: String = "image/jpeg", caption: String? = nil)
    case video(Data, mimeType: String = "video/mp4", caption: String? = nil)
    /// `voice: true` is a voice note recorded in WhatsApp.
    case audio(Data, mimeType: String = "audio/ogg; codecs=opus", voice: Bool = false)
    case document(Data, mimeType: String = "application/pdf", filename: String, caption: String? = nil)
    case sticker(Data, mimeType: String = "image/webp", animated: Bool = false)
    case location(latitude: Double, longitude: Double, name: String? = nil, address: String? = nil)
    case contacts([SharedContact])
    /// A tap on a reply button of an interactive message.
    case buttonReply(id: String, title: String)
    /// A choice from an interactive list.
    case listReply(id: String, title: String, description: String? = nil)
    /// A tap on a template's quick-reply button.
    case templateButton(payload: String, text: String)
    /// An emoji on one of the business's messages; an empty emoji removes the reaction.
    case reaction(messageID: String, emoji: String)
    /// A type the Cloud API does not support (polls, view-once media, …).
    case unsupported

    var type: String {
        switch self {
        case .text: "text"
        case .image: "image"
        case .video: "video"
        case .audio: "audio"
        case .document: "document"
        case .sticker: "sticker"
        case .location: "location"
        case .contacts: "contacts"
        case .buttonReply, .listReply: "interactive"
        case .templateButton: "button"
        case .reaction: "reaction"
        case .unsupported: "unsupported"
        }
    }
}

/// A contact card a customer shares.
public struct SharedContact: Sendable {
    public var formattedName: String
    public var firstName: String?
    public var lastName: String?
    public var phone: String
    public var waID: String?

    public init(formattedName: String, firstName: String? = nil, lastName: String? = nil, phone: String, waID: String? = nil) {
        self.formattedName = formattedName
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.waID = waID
    }
}

/// The click-to-WhatsApp ad a conversation started from.
public struct AdReferral: Sendable {
    public var sourceURL: String
    public var sourceID: String
    public var headline: String
    public var body: String

    public init(sourceURL: String, sourceID: String, headline: String, body: String) {
        self.sourceURL = sourceURL
        self.sourceID = sourceID
        self.headline = headline
        self.body = body
    }
}
