import ADSappCore
import Fluent
import Foundation
import WhatsAppCloud

extension TemplatesPage {
    /// The organization's templates by name and language, each with the text of its body.
    static func query(_ tenant: Tenant, notice: String?, error: String?) async throws -> Model {
        let templates = try await tenant.scope.query(MessageTemplate.self).sort(\.$name).sort(\.$language).all()
        return Model(
            rows: templates.map { template in
                let components = (try? JSONDecoder().decode(JSONValue.self, from: Data(template.components.utf8)))?.arrayValue ?? []
                let body = components.first { $0["type"]?.stringValue == "BODY" }?["text"]?.stringValue
                return .init(
                    id: template.id!, name: template.name, language: template.language, category: template.category,
                    status: template.status, quality: template.quality, rejectedReason: template.rejectedReason, body: body)
            },
            canManage: tenant.role.can(.manageTemplates),
            notice: notice,
            error: error
        )
    }
}
