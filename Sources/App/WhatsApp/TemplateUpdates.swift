import Fluent
import Foundation
import WhatsAppCloud

/// Applies Meta's template webhooks (status, quality, category) to the stored templates of every
/// organization that connected a number of that WhatsApp Business Account.
struct TemplateUpdates: Sendable {
    let directory: ConnectionDirectory
    let now: Date

    func apply(_ update: TemplateStatusUpdate, businessAccountID: String) async throws {
        try await each(businessAccountID, name: update.templateName, language: update.language) { template in
            template.status = update.event
            template.rejectedReason = update.reason.flatMap { $0 == "NONE" ? nil : $0 }
        }
    }

    func apply(_ update: TemplateQualityUpdate, businessAccountID: String) async throws {
        try await each(businessAccountID, name: update.templateName, language: update.language) { template in
            template.quality = update.newQualityScore
        }
    }

    func apply(_ update: TemplateCategoryUpdate, businessAccountID: String) async throws {
        guard let category = update.newCategory ?? update.correctCategory else { return }
        try await each(businessAccountID, name: update.templateName, language: update.language) { template in
            template.category = category
        }
    }

    private func each(_ businessAccountID: String, name: String, language: String, _ change: (MessageTemplate) -> Void) async throws {
        let organizations = Set(try await directory.connections(businessAccountID: businessAccountID).map(\.organizationID))
        for organizationID in organizations {
            let scope = TenantScope(organizationID: organizationID, database: directory.database)
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
