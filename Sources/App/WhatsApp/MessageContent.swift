import Foundation
import WhatsAppCloud

/// What a message says, in the shape the app stores (`messages.content`) and shows. One struct for
/// every kind, with the fields of that kind set; the raw WhatsApp JSON is kept beside it.
struct MessageContent: Codable, Sendable, Equatable {
    struct Location: Codable, Sendable, Equatable {
        var latitude: Double
        var longitude: Double
        var name: String?
        var address: String?
        var url: String?
    }
    struct ContactCard: Codable, Sendable, Equatable {
        var name: String
        var phones: [String]
        var emails: [String]
        var organization: String?
    }
    struct Choice: Codable, Sendable, Equatable {
        var id: String
        var title: String
        var description: String?
    }
    struct Reaction: Codable, Sendable, Equatable {
        var messageID: String
        /// `nil`: the customer took their reaction back.
        var emoji: String?
    }
    struct OrderSummary: Codable, Sendable, Equatable {
        var catalogID: String
        var itemCount: Int
        var total: Double
        var currency: String?
        var text: String?
    }
    struct AdReferral: Codable, Sendable, Equatable {
        var headline: String?
        var body: String?
        var sourceURL: String?
        var sourceType: String?
    }
    struct Template: Codable, Sendable, Equatable {
        var name: String
        var language: String
        var parameters: [String]
    }
    struct Problem: Codable, Sendable, Equatable {
        var code: Int
        var title: String?
    }

    /// Text, caption, button text, system notice, Flow answer: what a person reads first.
    var text: String?
    var location: Location?
    var contacts: [ContactCard]?
    /// A reply button or list row the customer chose; for outbound interactive messages, the offered choices.
    var choice: Choice?
    var choices: [Choice]?
    /// A template quick-reply's payload.
    var payload: String?
    var reaction: Reaction?
    var order: OrderSummary?
    var referral: AdReferral?
    var template: Template?
    /// The WhatsApp type we could not read, shown as "unsupported".
    var unsupportedType: String?
    var problems: [Problem]?
    var voice: Bool?

    init() {}

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func parse(_ json: String) -> MessageContent {
        (try? JSONDecoder().decode(MessageContent.self, from: Data(json.utf8))) ?? MessageContent()
    }
}

extension MessageContent {
    /// The content of an inbound message, and the media it carries (if any).
    init(_ message: InboundMessage) {
        self.init()
        switch message.content {
        case .text(let body):
            text = body
        case .image(let media), .video(let media), .document(let media), .sticker(let media):
            text = media.caption
        case .audio(let media):
            voice = media.voice
        case .location(let latitude, let longitude, let name, let address, let url):
            location = Location(latitude: latitude, longitude: longitude, name: name, address: address, url: url)
        case .contacts(let cards):
            contacts = cards.map {
                ContactCard(
                    name: $0.name.formattedName,
                    phones: $0.phones.compactMap { $0.phone ?? $0.waID },
                    emails: $0.emails.map(\.email),
                    organization: $0.organization?.company
                )
            }
        case .interactive(let reply):
            switch reply {
            case .buttonReply(let id, let title): choice = Choice(id: id, title: title)
            case .listReply(let id, let title, let description): choice = Choice(id: id, title: title, description: description)
            case .flowReply(_, let body, let responseJSON): text = body ?? responseJSON
            case .other(let type): unsupportedType = "interactive.\(type)"
            }
        case .button(let payload, let text):
            self.payload = payload
            self.text = text
        case .reaction(let messageID, let emoji):
            reaction = Reaction(messageID: messageID, emoji: emoji?.isEmpty == false ? emoji : nil)
        case .order(let order):
            self.order = OrderSummary(
                catalogID: order.catalogID,
                itemCount: order.productItems.reduce(0) { $0 + $1.quantity },
                total: order.productItems.reduce(0) { $0 + $1.itemPrice * Double($1.quantity) },
                currency: order.productItems.first?.currency,
                text: order.text
            )
        case .system(let body, _, _):
            text = body
        case .unsupported(let type):
            unsupportedType = type
        }
        if let referral = message.referral {
            self.referral = AdReferral(headline: referral.headline, body: referral.body, sourceURL: referral.sourceURL, sourceType: referral.sourceType)
        }
        if !message.errors.isEmpty {
            problems = message.errors.map { Problem(code: $0.code, title: $0.title ?? $0.message) }
        }
    }

    /// One line for the conversation list and for notifications.
    var preview: String {
        if let text, !text.isEmpty { return String(text.prefix(200)) }
        if let location { return "📍 " + (location.name ?? location.address ?? "\(location.latitude), \(location.longitude)") }
        if let contacts { return "👤 " + contacts.map(\.name).joined(separator: ", ") }
        if let choice { return choice.title }
        if let reaction { return reaction.emoji ?? "" }
        if let order { return "🛒 \(order.itemCount)" }
        if let template { return "📄 " + template.name }
        if let unsupportedType { return "[\(unsupportedType)]" }
        return ""
    }
}

extension InboundContent {
    /// The media an inbound message carries, if any.
    var media: InboundMedia? {
        switch self {
        case .image(let media), .video(let media), .audio(let media), .document(let media), .sticker(let media): media
        default: nil
        }
    }
}
