import Foundation
import SafeHTML

/// The inputs that say where each variable of a template comes from (a contact's name, number, email
/// or custom field, or fixed text, with a fallback), shared by the campaign form and a drip step's
/// form. Each variable posts three values under its key: `body0_source`, `body0_text`, `body0_fallback`.
enum TemplateVariableForm {
    /// The template's variables, with what `value` (the posted form) says of each.
    static func variables(of text: TemplateText, value: (String) -> String?, t: Localizer) -> [CampaignFormPage.Variable] {
        func variable(_ key: String, _ label: String) -> CampaignFormPage.Variable {
            CampaignFormPage.Variable(
                key: key, label: label, source: value("\(key)_source") ?? "name", text: value("\(key)_text") ?? "",
                fallback: value("\(key)_fallback") ?? "")
        }
        var variables: [CampaignFormPage.Variable] = []
        if text.headerFormat == "TEXT", let name = TemplateText.variables(in: text.header ?? "").first {
            variables.append(variable("header", t(.campaignFormHeaderVariable, ["name": name])))
        }
        for (index, name) in TemplateText.variables(in: text.body).enumerated() {
            variables.append(variable("body\(index)", t(.campaignFormBodyVariable, ["name": name])))
        }
        for (index, button) in text.buttons.enumerated() where button.type == "URL" && !TemplateText.variables(in: button.url ?? "").isEmpty {
            variables.append(variable("button\(index)", t(.campaignFormButtonVariable, ["name": button.text])))
        }
        return variables
    }

    /// What a variable can come from: the contact's name, number and email, fixed text, each custom field.
    static func sources(_ fields: [ContactFieldDefinition], t: Localizer) -> [CampaignFormPage.Option] {
        [
            .init(value: "name", label: t(.campaignSourceName)), .init(value: "phone", label: t(.campaignSourcePhone)),
            .init(value: "email", label: t(.campaignSourceEmail)), .init(value: "text", label: t(.campaignSourceText)),
        ] + fields.map { .init(value: "field:\($0.key)", label: t(.campaignSourceField, ["label": $0.label])) }
    }

    /// The header media a template needs a link for: "image", "video" or "document".
    static func headerMedia(of text: TemplateText?) -> String? {
        text?.headerFormat.flatMap { ["IMAGE", "VIDEO", "DOCUMENT"].contains($0) ? $0.lowercased() : nil }
    }

    /// The parameters the posted variables describe.
    static func message(_ variables: [CampaignFormPage.Variable], text: TemplateText?, headerMediaLink: String) -> CampaignMessage {
        func value(_ variable: CampaignFormPage.Variable) -> CampaignMessage.Value {
            CampaignMessage.Value(
                source: variable.source, text: variable.source == "text" ? variable.text : nil,
                fallback: variable.fallback.isEmpty ? nil : variable.fallback)
        }
        var message = CampaignMessage()
        for variable in variables {
            if variable.key == "header" {
                message.headerText = value(variable)
            } else if variable.key.hasPrefix("body") {
                message.body.append(value(variable))
            } else if let index = Int(variable.key.dropFirst("button".count)) {
                message.buttons.append(.init(index: index, type: .url, value: value(variable)))
            }
        }
        if let names = text.map({ TemplateText.variables(in: $0.body) }), names.contains(where: { Int($0) == nil }) {
            message.parameterNames = names
        }
        if let kind = headerMedia(of: text).flatMap(CampaignMessage.HeaderMedia.Kind.init(rawValue:)), let link = URL(string: headerMediaLink) {
            message.headerMedia = .init(type: kind, link: link)
        }
        return message
    }

    /// The template as the customer will read it, then a fieldset per variable and the header media's link.
    static func html(
        text: TemplateText, variables: [CampaignFormPage.Variable], sources: [CampaignFormPage.Option], headerMedia kind: String?,
        headerMediaLink: String, _ t: Localizer
    ) -> Node {
        let options = sources.map { (value: $0.value, label: $0.label) }
        return .group(
            .div(
                .class("template-preview"),
                .unwrap(text.header) { .p(.strong(.text($0))) },
                .p(.class("preserve-lines"), .text(text.body)),
                .unwrap(text.footer) { .p(.class("muted"), .text($0)) }),
            .if(!variables.isEmpty, .h2(.text(t(.campaignFormVariables)))),
            .forEach(variables) { variable in
                .fieldset(
                    .class("campaign-variable"),
                    .legend(.text(variable.label)),
                    .label(.id("\(variable.key)-source-label"), .for("\(variable.key)-source"), .text(t(.campaignFormSource))),
                    Forms.select(
                        id: "\(variable.key)-source", name: "\(variable.key)_source", options: options, selected: variable.source,
                        labelledBy: "\(variable.key)-source-label"),
                    Forms.field(
                        label: t(.campaignFormFixedText), name: "\(variable.key)_text", type: .text, value: variable.text, autocomplete: "off",
                        required: false),
                    Forms.field(
                        label: t(.campaignFormFallback), name: "\(variable.key)_fallback", type: .text, value: variable.fallback, autocomplete: "off",
                        hint: t(.campaignFormFallbackHint), required: false))
            },
            .unwrap(kind) { kind in
                Forms.field(label: t(.campaignFormHeaderMedia, ["kind": kind]), name: "header_media", type: .url, value: headerMediaLink, autocomplete: "off")
            })
    }
}
