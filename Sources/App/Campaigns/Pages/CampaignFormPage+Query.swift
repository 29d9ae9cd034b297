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
        let variables = text.map { TemplateVariableForm.variables(of: $0, value: values.value, t: t) } ?? []
        let sources = TemplateVariableForm.sources(try await ContactDirectory.fieldDefinitions(in: scope), t: t)
        let media = TemplateVariableForm.headerMedia(of: text)
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
        let message = TemplateVariableForm.message(model.variables, text: model.templateText, headerMediaLink: values.headerMedia)
        let template = values.template?.split(separator: "|", maxSplits: 1).map(String.init) ?? []
        return CampaignActions.Input(
            name: values.name, connectionID: values.connectionID.flatMap(UUID.init(uuidString:)), templateName: template.first,
            templateLanguage: template.count == 2 ? template[1] : nil, message: message,
            audience: CampaignAudience(
                segmentID: values.segmentID.flatMap(UUID.init(uuidString:)), tagIDs: values.tagIDs.compactMap(UUID.init(uuidString:))))
    }
}
