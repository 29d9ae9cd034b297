import Fluent
import Foundation
import Jobs
import WhatsAppCloud

/// Copies a WhatsApp Business Account's templates from Meta (every page), and forgets the ones Meta
/// no longer has. Runs when a number is connected, on request, and every night.
struct SyncMessageTemplates: JobHandler {
    struct Payload: Codable, Sendable {
        var connectionID: UUID
    }

    static let kind = "whatsapp.templates.sync"
    static let queue: QueueName = .templateProcessing
    static let maxAttempts = 5
    static let timeLimit: Duration = .seconds(300)

    let services: WhatsAppServices
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let organizationID = context.organizationID else { return }
        let scope = TenantScope(organizationID: organizationID, database: context.database)
        guard let connection = try await scope.find(WhatsAppConnection.self, payload.connectionID), connection.state == .active else { return }
        let token = try await services.vault.open(connection.accessTokenSealed, for: organizationID, purpose: .whatsAppAccessToken, on: context.database)

        let listingStarted = now()
        var fetched: [WhatsAppCloud.MessageTemplate] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page: TemplatePage
            do {
                page = try await services.graph.templates(wabaID: connection.businessAccountID, after: cursor, token: token)
            } catch let error as GraphError where error.disposition == .tokenBroken || error.disposition == .accountBlocked {
                try await ConnectionHealth.record(error, for: connection, at: now(), on: context.database)
                return
            }
            fetched += page.templates
            cursor = page.nextCursor
            pages += 1
            try await context.progress(min(0.9, Double(pages) * 0.1), "\(fetched.count) templates")
        } while cursor != nil && pages < 200

        try await TemplateStore(scope: scope, now: now())
            .replace(businessAccountID: connection.businessAccountID, with: fetched, listingStarted: listingStarted)
    }
}

/// The stored copy of an account's templates.
struct TemplateStore: Sendable {
    let scope: TenantScope
    let now: Date

    /// Rows written since `listingStarted` (a template created here, a status webhook) may be newer
    /// than the listing, so they are neither overwritten nor deleted by it.
    func replace(businessAccountID: String, with templates: [WhatsAppCloud.MessageTemplate], listingStarted: Date) async throws {
        try await scope.transaction { scope in
            let existing = try await scope.query(MessageTemplate.self).filter(\.$businessAccountID == businessAccountID).all()
            var byKey = Dictionary(existing.map { ("\($0.name)/\($0.language)", $0) }, uniquingKeysWith: { first, _ in first })
            for template in templates {
                let key = "\(template.name)/\(template.language)"
                let existing = byKey.removeValue(forKey: key)
                if let existing, existing.updatedAt >= listingStarted { continue }
                let row =
                    existing
                    ?? MessageTemplate(
                        organizationID: scope.organizationID, businessAccountID: businessAccountID, name: template.name, language: template.language
                    )
                Self.copy(template, into: row, at: now)
                try await row.save(on: scope.database)
            }
            for gone in byKey.values where gone.updatedAt < listingStarted { try await gone.delete(on: scope.database) }
        }
    }

    static func copy(_ template: WhatsAppCloud.MessageTemplate, into row: MessageTemplate, at now: Date) {
        row.metaID = template.id
        row.category = template.category
        row.status = template.status
        row.quality = template.qualityScore
        row.rejectedReason = template.rejectedReason
        row.components = template.rawComponents.jsonText()
        row.updatedAt = now
    }
}

/// Every night: queues a template sync for every working connection, so statuses Meta changed
/// without a webhook (or while webhooks were failing) are caught up.
struct SyncAllMessageTemplates: JobHandler {
    struct Payload: Codable, Sendable {}

    static let kind = "whatsapp.templates.sync-all"
    static let queue: QueueName = .templateProcessing

    func run(_ payload: Payload, context: JobContext) async throws {
        let jobs = JobStore(database: context.database)
        let connections = try await ConnectionDirectory(database: context.database).activeConnections()
        try await jobs.enqueue(
            connections.map { connection in
                try .init(
                    SyncMessageTemplates.self, .init(connectionID: try connection.requireID()),
                    uniqueKey: "templates:\(connection.businessAccountID):\(connection.organizationID)", organizationID: connection.organizationID
                )
            })
    }
}
