import Foundation
import WhatsAppCloud

/// A message an agent (or the API) asks to send, as stored with the queued message until the send
/// job hands it to Meta. This is also the JSON body of `POST /api/v1/conversations/{id}/messages`.
struct OutboundDraft: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable, CaseIterable {
        case text, image, video, audio, document, sticker, location, template, buttons, list, reaction
    }
    struct Upload: Codable, Sendable, Equatable {
        /// Where the app keeps the file (the object store); Meta gets it at send time.
        var objectKey: String
        var mimeType: String
        var filename: String
        var size: Int

        enum CodingKeys: String, CodingKey {
            case objectKey = "object_key", mimeType = "mime_type", filename, size
        }
    }
    struct Choice: Codable, Sendable, Equatable {
        var id: String
        var title: String
        var description: String?
    }
    struct TemplateDraft: Codable, Sendable, Equatable {
        var name: String
        var language: String
        /// Body parameters in order ({{1}}, {{2}}, …).
        var parameters: [String]?
        /// The parameter of a text header, if the template's header has one.
        var headerText: String?

        enum CodingKeys: String, CodingKey {
            case name, language, parameters, headerText = "header_text"
        }
    }

    var type: Kind
    /// Text body, media caption, or interactive body.
    var text: String?
    var previewURL: Bool?
    /// Media by public https link (the API); web uploads use `upload`.
    var link: URL?
    var upload: Upload?
    var filename: String?
    var latitude: Double?
    var longitude: Double?
    var name: String?
    var address: String?
    var template: TemplateDraft?
    var header: String?
    var footer: String?
    var buttons: [Choice]?
    var listButton: String?
    /// The WhatsApp id of the message this reacts to (`reaction`), and the emoji ("" removes it).
    var reactTo: String?
    var emoji: String?
    /// The WhatsApp id of the message this replies to (shown quoted to the customer).
    var replyTo: String?

    enum CodingKeys: String, CodingKey {
        case type, text, previewURL = "preview_url", link, upload, filename, latitude, longitude, name, address, template
        case header, footer, buttons, listButton = "list_button", reactTo = "react_to", emoji, replyTo = "reply_to"
    }

    init(type: Kind) { self.type = type }

    static func text(_ body: String) -> OutboundDraft {
        var draft = OutboundDraft(type: .text)
        draft.text = body
        return draft
    }

    var isTemplate: Bool { type == .template }
    var isMedia: Bool { [.image, .video, .audio, .document, .sticker].contains(type) }

    struct Invalid: Error, CustomStringConvertible {
        var field: String
        var problem: String
        var description: String { "\(field): \(problem)" }
    }

    /// The WhatsApp message for this draft. `mediaID` is the id Meta gave an uploaded file.
    func outboundContent(mediaID: String? = nil) throws -> OutboundContent {
        func required<T>(_ value: T?, _ field: String) throws -> T {
            guard let value else { throw Invalid(field: field, problem: "is required for a \(type.rawValue) message") }
            return value
        }
        func media() throws -> MediaReference {
            if let mediaID { return .id(mediaID) }
            if let link {
                guard link.scheme == "https" else { throw Invalid(field: "link", problem: "must be an https URL") }
                return .link(link)
            }
            if upload != nil { throw Invalid(field: "upload", problem: "has not been uploaded to WhatsApp yet") }
            throw Invalid(field: "link", problem: "a file or an https link is required for a \(type.rawValue) message")
        }
        let caption = text.flatMap { $0.isEmpty ? nil : $0 }
        switch type {
        case .text:
            return .text(body: try required(text, "text"), previewURL: previewURL ?? true)
        case .image: return .image(try media(), caption: caption)
        case .video: return .video(try media(), caption: caption)
        case .audio: return .audio(try media())
        case .document: return .document(try media(), caption: caption, filename: filename ?? upload?.filename)
        case .sticker: return .sticker(try media())
        case .location:
            return .location(latitude: try required(latitude, "latitude"), longitude: try required(longitude, "longitude"), name: name, address: address)
        case .template:
            let template = try required(template, "template")
            return .template(TemplateMessage(
                name: template.name,
                languageCode: template.language,
                header: template.headerText.map { .text(.text($0)) },
                body: (template.parameters ?? []).map { .text($0) }
            ))
        case .buttons:
            return .interactiveButtons(InteractiveButtons(
                header: header.map { .text($0) },
                body: try required(text, "text"),
                footer: footer,
                buttons: try required(buttons, "buttons").map { .init(id: $0.id, title: $0.title) }
            ))
        case .list:
            return .interactiveList(InteractiveList(
                header: header,
                body: try required(text, "text"),
                footer: footer,
                buttonLabel: try required(listButton, "listButton"),
                sections: [.init(rows: try required(buttons, "buttons").map { .init(id: $0.id, title: $0.title, description: $0.description) })]
            ))
        case .reaction:
            return .reaction(messageID: try required(reactTo, "reactTo"), emoji: emoji ?? "")
        }
    }

    /// What the conversation shows for this message.
    var content: MessageContent {
        var content = MessageContent()
        switch type {
        case .location:
            if let latitude, let longitude {
                content.location = .init(latitude: latitude, longitude: longitude, name: name, address: address)
            }
        case .template:
            if let template { content.template = .init(name: template.name, language: template.language, parameters: template.parameters ?? []) }
        case .reaction:
            if let reactTo { content.reaction = .init(messageID: reactTo, emoji: emoji?.isEmpty == false ? emoji : nil) }
        case .buttons, .list:
            content.text = text
            content.choices = buttons?.map { .init(id: $0.id, title: $0.title, description: $0.description) }
        default:
            content.text = text
        }
        return content
    }
}
