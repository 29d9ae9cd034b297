import Fluent
import Foundation

extension CampaignFormPage {
    /// What the form posted (or the first step's query): fixed names, and one group of three per
    /// variable (`body0_source`, `body0_text`, `body0_fallback`), read through `value`.
    struct Values {
        var name: String = ""
        var connectionID: String?
        var template: String?
        var headerMedia: String = ""
        var segmentID: String?
        var tagIDs: [String] = []
        var value: (String) -> String? = { _ in nil }
    }

    static func query(_ tenant: Tenant, _ values: Values, t: Localizer, error: String?) async throws -> Model {
        let scope = tenant.scope
        let connections = try await scope.query(WhatsAppConnection.self).sort(\.$createdAt).all()
        let connection = connections.first { $0.id?.uuidString == values.connectionID } ?? connections.first
        var approved: [MessageTemplate] = []
        if let connection {
            approved = try await scope.query(MessageTemplate.self).filter(\.$businessAccountID == connection.businessAccountID)
                .filter(\.$status == "APPROVED").sort(\.$name).sort(\.$language).all()
        }
        let chosen = approved.first { "\($0.name)|\($0.language)" == values.template }
        let text = chosen.map { TemplateText(components: $0.components) }
        var variables: [Variable] = []
        func variable(_ key: String, _ label: String) -> Variable {
            Variable(
                key: key, label: label, source: values.value("\(key)_source") ?? "name", text: values.value("\(key)_text") ?? "",
                fallback: values.value("\(key)_fallback") ?? "")
        }
        if let text {
            if text.headerFormat == "TEXT", let name = TemplateText.variables(in: text.header ?? "").first {
                variables.append(variable("header", t(.campaignFormHeaderVariable, ["name": name])))
            }
            for (index, name) in TemplateText.variables(in: text.body).enumerated() {
                variables.append(variable("body\(index)", t(.campaignFormBodyVariable, ["name": name])))
            }
            for (index, button) in text.buttons.enumerated() where button.type == "URL" && !TemplateText.variables(in: button.url ?? "").isEmpty {
                variables.append(variable("button\(index)", t(.campaignFormButtonVariable, ["name": button.text])))
            }
        }
        let fields = try await ContactDirectory.fieldDefinitions(in: scope)
        let sources =
            [
                Option(value: "name", label: t(.campaignSourceName)), Option(value: "phone", label: t(.campaignSourcePhone)),
                Option(value: "email", label: t(.campaignSourceEmail)), Option(value: "text", label: t(.campaignSourceText)),
            ] + fields.map { Option(value: "field:\($0.key)", label: t(.campaignSourceField, ["label": $0.label])) }
        let media = text?.headerFormat.flatMap { ["IMAGE", "VIDEO", "DOCUMENT"].contains($0) ? $0.lowercased() : nil }
        return Model(
            numbers: connections.map { Option(value: $0.id!.uuidString, label: CampaignPage.numberName($0)) },
            templates: approved.map { Option(value: "\($0.name)|\($0.language)", label: "\($0.name) (\($0.language), \($0.category.lowercased()))") },
            connectionID: connection?.id?.uuidString, template: chosen.map { "\($0.name)|\($0.language)" }, templateText: text, variables: variables,
            needsHeaderMedia: media, headerMedia: values.headerMedia, sources: sources,
            segments: try await scope.query(Segment.self).sort(\.$name).all().map { Option(value: $0.id!.uuidString, label: $0.name) },
            tags: try await scope.query(Tag.self).sort(\.$name).all().map { Option(value: $0.id!.uuidString, label: $0.name) },
            name: values.name, segmentID: values.segmentID, tagIDs: Set(values.tagIDs), error: error)
    }

    /// The campaign the posted form describes, for `CampaignActions.create`.
    static func input(_ values: Values, model: Model) -> CampaignActions.Input {
        func value(_ variable: Variable) -> CampaignMessage.Value {
            CampaignMessage.Value(
                source: variable.source, text: variable.source == "text" ? variable.text : nil,
                fallback: variable.fallback.isEmpty ? nil : variable.fallback)
        }
        var message = CampaignMessage()
        for variable in model.variables {
            if variable.key == "header" {
                message.headerText = value(variable)
            } else if variable.key.hasPrefix("body") {
                message.body.append(value(variable))
            } else if let index = Int(variable.key.dropFirst("button".count)) {
                message.buttons.append(.init(index: index, type: .url, value: value(variable)))
            }
        }
        if let names = model.templateText.map({ TemplateText.variables(in: $0.body) }), names.contains(where: { Int($0) == nil }) {
            message.parameterNames = names
        }
        if let kind = model.needsHeaderMedia.flatMap(CampaignMessage.HeaderMedia.Kind.init(rawValue:)), let link = URL(string: values.headerMedia) {
            message.headerMedia = .init(type: kind, link: link)
        }
        let template = values.template?.split(separator: "|", maxSplits: 1).map(String.init) ?? []
        return CampaignActions.Input(
            name: values.name, connectionID: values.connectionID.flatMap(UUID.init(uuidString:)), templateName: template.first,
            templateLanguage: template.count == 2 ? template[1] : nil, message: message,
            audience: CampaignAudience(
                segmentID: values.segmentID.flatMap(UUID.init(uuidString:)), tagIDs: values.tagIDs.compactMap(UUID.init(uuidString:))))
    }
}
