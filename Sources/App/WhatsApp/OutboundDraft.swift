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
        /// Body parameters in order ({{1}}, {{2}}, …), or by name when `parameterNames` is set.
        var parameters: [String]?
        /// For templates with named parameters ({{first_name}}): one name per entry of `parameters`.
        var parameterNames: [String]?
        /// The parameter of a text header, if the template's header has one.
        var headerText: String?
        /// The media of an image, video or document header, by https link.
        var headerImage: URL?
        var headerVideo: URL?
        var headerDocument: URL?
        /// Parameters of the template's buttons.
        var buttons: [TemplateButton]?

        enum CodingKeys: String, CodingKey {
            case name, language, parameters, parameterNames = "parameter_names", headerText = "header_text"
            case headerImage = "header_image", headerVideo = "header_video", headerDocument = "header_document", buttons
        }
    }
    struct TemplateButton: Codable, Sendable, Equatable {
        enum Kind: String, Codable, Sendable { case quickReply = "quick_reply", url, copyCode = "copy_code" }
        /// The button's position among the template's buttons, from 0.
        var index: Int
        var type: Kind
        /// The quick reply's payload, the URL's variable suffix, or the code to copy.
        var value: String
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
            return .template(try template.message())
        case .buttons:
            return .interactiveButtons(
                InteractiveButtons(
                    header: header.map { .text($0) },
                    body: try required(text, "text"),
                    footer: footer,
                    buttons: try required(buttons, "buttons").map { .init(id: $0.id, title: $0.title) }
                ))
        case .list:
            return .interactiveList(
                InteractiveList(
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

extension OutboundDraft.TemplateDraft {
    func message() throws -> TemplateMessage {
        let values = parameters ?? []
        if let parameterNames, parameterNames.count != values.count {
            throw OutboundDraft.Invalid(field: "template.parameter_names", problem: "needs one name per parameter")
        }
        let body = values.enumerated().map { index, value in TemplateMessage.TextParameter.text(value, name: parameterNames?[index]) }
        let headers: [TemplateMessage.HeaderParameter] = [
            headerText.map { .text(.text($0)) },
            try headerImage.map { .image(.link(try Self.https($0, "template.header_image"))) },
            try headerVideo.map { .video(.link(try Self.https($0, "template.header_video"))) },
            try headerDocument.map { .document(.link(try Self.https($0, "template.header_document")), filename: nil) },
        ].compactMap { $0 }
        guard headers.count <= 1 else {
            throw OutboundDraft.Invalid(
                field: "template", problem: "a template has one header: give one of header_text, header_image, header_video, header_document")
        }
        let buttonParameters = (buttons ?? []).map { button -> TemplateMessage.ButtonParameter in
            switch button.type {
            case .quickReply: .init(index: button.index, kind: .quickReply(payload: button.value))
            case .url: .init(index: button.index, kind: .url(suffix: button.value))
            case .copyCode: .init(index: button.index, kind: .copyCode(button.value))
            }
        }
        return TemplateMessage(name: name, languageCode: language, header: headers.first, body: body, buttons: buttonParameters)
    }

    private static func https(_ url: URL, _ field: String) throws -> URL {
        guard url.scheme == "https" else { throw OutboundDraft.Invalid(field: field, problem: "must be an https URL") }
        return url
    }
}
