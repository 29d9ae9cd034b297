import Fluent
import Foundation
import WhatsAppCloud

/// Applies Meta's template webhooks (status, quality, category) to the stored templates of the
/// organizations of `connections`: the connections of that WhatsApp Business Account the event's
/// verifier covers (`WebhookBatch`), never every organization that names the account.
struct TemplateUpdates: Sendable {
    let database: any Database
    let now: Date

    func apply(_ update: TemplateStatusUpdate, businessAccountID: String, connections: [WhatsAppConnection]) async throws {
        try await each(businessAccountID, connections, name: update.templateName, language: update.language) { template in
            template.status = update.event
            template.rejectedReason = update.reason.flatMap { $0 == "NONE" ? nil : $0 }
        }
    }

    func apply(_ update: TemplateQualityUpdate, businessAccountID: String, connections: [WhatsAppConnection]) async throws {
        try await each(businessAccountID, connections, name: update.templateName, language: update.language) { template in
            template.quality = update.newQualityScore
        }
    }

    func apply(_ update: TemplateCategoryUpdate, businessAccountID: String, connections: [WhatsAppConnection]) async throws {
        guard let category = update.newCategory ?? update.correctCategory else { return }
        try await each(businessAccountID, connections, name: update.templateName, language: update.language) { template in
            template.category = category
        }
    }

    private func each(
        _ businessAccountID: String, _ connections: [WhatsAppConnection], name: String, language: String, _ change: (MessageTemplate) -> Void
    ) async throws {
        let organizations = Set(connections.filter { $0.businessAccountID == businessAccountID }.map(\.organizationID))
        for organizationID in organizations {
            let scope = TenantScope(organizationID: organizationID, database: database)
            let templates = try await scope.query(MessageTemplate.self)
                .filter(\.$businessAccountID == businessAccountID)
                .filter(\.$name == name)
                .filter(\.$language == language)
                .all()
            for template in templates {
                change(template)
                template.updatedAt = now
                try await template.save(on: scope.database)
            }
        }
    }
}
