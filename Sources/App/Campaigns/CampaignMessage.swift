import Foundation

/// Where each parameter of a campaign's template comes from: a contact's name, number, email or
/// custom field, or fixed text, each with a fallback for contacts that have no value.
struct CampaignMessage: Codable, Sendable, Equatable {
    /// One per body variable, in order (`{{1}}`, `{{2}}`, …), or by name when `parameterNames` is set.
    var body: [Value] = []
    var parameterNames: [String]?
    /// The variable of a text header.
    var headerText: Value?
    /// The media of an image, video or document header: one https link for every recipient.
    var headerMedia: HeaderMedia?
    var buttons: [Button] = []

    enum CodingKeys: String, CodingKey {
        case body, parameterNames = "parameter_names", headerText = "header_text", headerMedia = "header_media", buttons
    }

    init(body: [Value] = [], parameterNames: [String]? = nil, headerText: Value? = nil, headerMedia: HeaderMedia? = nil, buttons: [Button] = []) {
        self.body = body
        self.parameterNames = parameterNames
        self.headerText = headerText
        self.headerMedia = headerMedia
        self.buttons = buttons
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        body = try container.decodeIfPresent([Value].self, forKey: .body) ?? []
        parameterNames = try container.decodeIfPresent([String].self, forKey: .parameterNames)
        headerText = try container.decodeIfPresent(Value.self, forKey: .headerText)
        headerMedia = try container.decodeIfPresent(HeaderMedia.self, forKey: .headerMedia)
        buttons = try container.decodeIfPresent([Button].self, forKey: .buttons) ?? []
    }

    /// One parameter's value: `source` is `name`, `phone`, `email`, `field:<key>` or `text` (then `text`
    /// is the value). `fallback` is sent when the contact has no value.
    struct Value: Codable, Sendable, Equatable {
        var source: String
        var text: String?
        var fallback: String?

        init(source: String, text: String? = nil, fallback: String? = nil) {
            self.source = source
            self.text = text
            self.fallback = fallback
        }

        static func fixed(_ text: String) -> Value { Value(source: "text", text: text) }
    }

    struct HeaderMedia: Codable, Sendable, Equatable {
        enum Kind: String, Codable, Sendable { case image, video, document }
        var type: Kind
        var link: URL
    }

    struct Button: Codable, Sendable, Equatable {
        var index: Int
        var type: OutboundDraft.TemplateButton.Kind
        var value: Value
    }

    /// What a contact offers to fill parameters with.
    struct ContactValues: Sendable {
        var name: String?
        var phone: String?
        var email: String?
        /// Custom field values by field key.
        var fields: [String: String]
    }

    /// A parameter that names something this organization does not have.
    struct Invalid: Error, Equatable, CustomStringConvertible {
        var field: String
        var problem: String
        var description: String { "\(field): \(problem)" }
    }

    /// Refuses a source that is not one of the kinds above, or names an unknown field key.
    func check(fieldKeys: Set<String>) throws(Invalid) {
        let named: [(String, Value)] =
            body.enumerated().map { ("body[\($0.offset)]", $0.element) }
            + (headerText.map { [("header_text", $0)] } ?? [])
            + buttons.map { ("buttons[\($0.index)]", $0.value) }
        for (field, value) in named {
            switch value.source {
            case "name", "phone", "email": break
            case "text":
                guard let text = value.text, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw Invalid(field: field, problem: "fixed text needs a text")
                }
            default:
                guard value.source.hasPrefix("field:") else {
                    throw Invalid(field: field, problem: "source must be name, phone, email, text or field:<key>")
                }
                let key = String(value.source.dropFirst("field:".count))
                guard fieldKeys.contains(key) else { throw Invalid(field: field, problem: "there is no contact field \"\(key)\"") }
            }
            if let fallback = value.fallback, fallback.count > 1024 { throw Invalid(field: field, problem: "the fallback is too long") }
        }
        if let names = parameterNames, names.count != body.count {
            throw Invalid(field: "parameter_names", problem: "needs one name per body parameter")
        }
        if let media = headerMedia, media.link.scheme != "https" {
            throw Invalid(field: "header_media.link", problem: "must be an https link")
        }
    }

    /// The template as this contact receives it; nil when a parameter has no value and no fallback
    /// (WhatsApp refuses empty parameters).
    func draft(template name: String, language: String, for contact: ContactValues) -> OutboundDraft.TemplateDraft? {
        func resolve(_ value: Value) -> String? {
            let own: String? =
                switch value.source {
                case "name": contact.name
                case "phone": contact.phone.map { "+" + $0 }
                case "email": contact.email
                case "text": value.text
                default: contact.fields[String(value.source.dropFirst("field:".count))]
                }
            let chosen = [own, value.fallback].compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
            // Meta refuses new lines, tabs and runs of more than four spaces in a parameter.
            return chosen.map { $0.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression) }
        }
        var parameters: [String] = []
        for value in body {
            guard let text = resolve(value) else { return nil }
            parameters.append(text)
        }
        var draft = OutboundDraft.TemplateDraft(name: name, language: language)
        draft.parameters = parameters.isEmpty ? nil : parameters
        draft.parameterNames = parameterNames
        if let header = headerText {
            guard let text = resolve(header) else { return nil }
            draft.headerText = text
        }
        switch headerMedia?.type {
        case .image: draft.headerImage = headerMedia?.link
        case .video: draft.headerVideo = headerMedia?.link
        case .document: draft.headerDocument = headerMedia?.link
        case nil: break
        }
        var buttons: [OutboundDraft.TemplateButton] = []
        for button in self.buttons {
            guard let text = resolve(button.value) else { return nil }
            buttons.append(.init(index: button.index, type: button.type, value: text))
        }
        draft.buttons = buttons.isEmpty ? nil : buttons
        return draft
    }
}
