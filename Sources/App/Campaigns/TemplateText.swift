import Foundation
import WhatsAppCloud

/// A stored template's text as a customer reads it: its header, body, footer and buttons from the
/// components Meta returned, with variables (`{{1}}`, `{{first_name}}`) filled from a draft. Also
/// what the template expects of a campaign's parameters.
struct TemplateText: Sendable, Equatable {
    var headerFormat: String?
    var header: String?
    var body: String
    var footer: String?
    var buttons: [Button]

    struct Button: Sendable, Equatable {
        var type: String
        var text: String
        var url: String?
    }

    /// The variables of a text in order of appearance, each once: `["1", "2"]` or `["first_name"]`.
    static func variables(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty, !names.contains(name) { names.append(name) }
            rest = rest[close.upperBound...]
        }
        return names
    }

    /// Refuses parameters that do not fit the template: a value per body variable, one for a text
    /// header's variable, a link for a media header, a value per button with a variable.
    func check(_ message: CampaignMessage) throws(CampaignProblem) {
        let bodyVariables = Self.variables(in: body)
        guard message.body.count == bodyVariables.count else {
            throw .invalid(field: "message.body", problem: "the template's body has \(bodyVariables.count) variables; give a value for each")
        }
        if bodyVariables.contains(where: { Int($0) == nil }), message.parameterNames == nil {
            throw .invalid(field: "message.parameter_names", problem: "the template uses named variables: \(bodyVariables.joined(separator: ", "))")
        }
        let headerVariables = headerFormat == "TEXT" ? Self.variables(in: header ?? "") : []
        if !headerVariables.isEmpty && message.headerText == nil {
            throw .invalid(field: "message.header_text", problem: "the template's header has a variable; give its value")
        }
        if let format = headerFormat, ["IMAGE", "VIDEO", "DOCUMENT"].contains(format) {
            guard message.headerMedia?.type.rawValue.uppercased() == format else {
                throw .invalid(field: "message.header_media", problem: "the template's header is \(format.lowercased()); give a https link to one")
            }
        }
        for (index, button) in buttons.enumerated() where button.type == "URL" && !Self.variables(in: button.url ?? "").isEmpty {
            guard message.buttons.contains(where: { $0.index == index }) else {
                throw .invalid(field: "message.buttons", problem: "the link of button \(index + 1) has a variable; give its value")
            }
        }
    }

    /// The text with a contact's values filled in.
    func filled(with draft: OutboundDraft.TemplateDraft) -> TemplateText {
        var result = self
        let values = draft.parameters ?? []
        var byName: [String: String] = [:]
        for (index, value) in values.enumerated() {
            let names = draft.parameterNames ?? []
            byName[index < names.count ? names[index] : String(index + 1)] = value
        }
        result.body = Self.fill(body, byName)
        if let header, let value = draft.headerText {
            result.header = Self.fill(header, Dictionary(uniqueKeysWithValues: Self.variables(in: header).map { ($0, value) }))
        }
        result.buttons = buttons.enumerated().map { index, button in
            var button = button
            if let url = button.url, let value = draft.buttons?.first(where: { $0.index == index })?.value {
                button.url = Self.fill(url, Dictionary(uniqueKeysWithValues: Self.variables(in: url).map { ($0, value) }))
            }
            return button
        }
        return result
    }

    private static func fill(_ text: String, _ values: [String: String]) -> String {
        var result = text
        for (name, value) in values {
            for spelling in ["{{\(name)}}", "{{ \(name) }}"] { result = result.replacingOccurrences(of: spelling, with: value) }
        }
        return result
    }
}

extension TemplateText {
    /// Reads Meta's components JSON; what it lacks is empty.
    init(components json: String) {
        let components = (try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))?.arrayValue ?? []
        func component(_ type: String) -> JSONValue? { components.first { $0["type"]?.stringValue?.uppercased() == type } }
        headerFormat = component("HEADER")?["format"]?.stringValue?.uppercased()
        header = component("HEADER")?["text"]?.stringValue
        body = component("BODY")?["text"]?.stringValue ?? ""
        footer = component("FOOTER")?["text"]?.stringValue
        buttons = (component("BUTTONS")?["buttons"]?.arrayValue ?? []).map { button in
            Button(type: button["type"]?.stringValue?.uppercased() ?? "", text: button["text"]?.stringValue ?? "", url: button["url"]?.stringValue)
        }
    }
}
