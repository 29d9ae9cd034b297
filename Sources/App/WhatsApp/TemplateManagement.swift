import Fluent
import Foundation
import Jobs
import Vapor
import WhatsAppCloud

/// What an admin enters to create a template (the templates page and `POST /api/v1/whatsapp/templates`).
struct TemplateInput: Content, Sendable {
    /// Which connected number's WhatsApp Business Account gets the template; the first one if not given.
    var connectionID: UUID?
    var name: String?
    var language: String?
    var category: String?
    var headerText: String?
    var body: String?
    /// One example per `{{n}}` in the body, in order (Meta requires them for review).
    var examples: [String]?
    var footer: String?
    var quickReplies: [String]?

    enum CodingKeys: String, CodingKey {
        case connectionID = "connection_id", name, language, category, headerText = "header_text", body, examples, footer
        case quickReplies = "quick_replies"
    }
}

struct TemplateProblem: Error, Equatable, CustomStringConvertible {
    var description: String
}

/// Creates, deletes and syncs templates through the Graph API, keeping the stored copy in step.
struct TemplateManagement: Sendable {
    let scope: TenantScope
    let services: WhatsAppServices
    let jobs: JobStore
    let now: Date

    func create(_ input: TemplateInput) async throws -> MessageTemplate {
        let connection = try await connection(input.connectionID)
        guard let category = input.category.flatMap({ TemplateDefinition.Category(rawValue: $0.uppercased()) }) else {
            throw TemplateProblem(description: "category must be MARKETING, UTILITY or AUTHENTICATION")
        }
        let definition = TemplateDefinition(
            name: input.name?.trimmingCharacters(in: .whitespaces) ?? "",
            language: input.language?.trimmingCharacters(in: .whitespaces) ?? "",
            category: category,
            header: input.headerText.flatMap { $0.isEmpty ? nil : .text($0, example: nil) },
            body: .init(text: input.body ?? "", examples: (input.examples ?? []).filter { !$0.isEmpty }.map { .init(value: $0) }),
            footer: input.footer.flatMap { $0.isEmpty ? nil : $0 },
            buttons: (input.quickReplies ?? []).filter { !$0.isEmpty }.map { .quickReply(text: $0) }
        )
        do {
            try definition.validate()
        } catch {
            throw TemplateProblem(description: error.description)
        }
        let token = try await token(connection)
        let created: (id: String, status: String, category: String)
        do {
            created = try await services.graph.createTemplate(definition, wabaID: connection.businessAccountID, token: token)
        } catch let error as GraphError {
            try await noteBrokenToken(error, connection)
            throw TemplateProblem(description: "Meta refused the template (error \(error.code)): \(error.message ?? error.title ?? "")")
        }
        let encoded = try JSONEncoder().encode(definition)
        let components = (try? JSONDecoder().decode(JSONValue.self, from: encoded))?["components"] ?? .array([])
        let stored =
            try await scope.query(MessageTemplate.self)
            .filter(\.$businessAccountID == connection.businessAccountID)
            .filter(\.$name == definition.name).filter(\.$language == definition.language).first()
            ?? MessageTemplate(
                organizationID: scope.organizationID, businessAccountID: connection.businessAccountID, name: definition.name, language: definition.language)
        stored.metaID = created.id
        stored.status = created.status
        stored.category = created.category
        stored.components = components.jsonText()
        stored.quality = nil
        stored.rejectedReason = nil
        stored.updatedAt = now
        try await stored.save(on: scope.database)
        return stored
    }

    /// Deletes the template at Meta (which deletes every language of that name) and here.
    func delete(_ template: MessageTemplate) async throws {
        let connections = try await scope.query(WhatsAppConnection.self).filter(\.$businessAccountID == template.businessAccountID).all()
        guard let connection = connections.first(where: { $0.state == .active }) ?? connections.first else {
            throw TemplateProblem(description: "no connected number belongs to this template's WhatsApp Business Account")
        }
        do {
            try await services.graph.deleteTemplate(name: template.name, wabaID: template.businessAccountID, token: try await token(connection))
        } catch let error as GraphError {
            try await noteBrokenToken(error, connection)
            throw TemplateProblem(description: "Meta refused to delete the template (error \(error.code)): \(error.message ?? error.title ?? "")")
        }
        try await scope.query(MessageTemplate.self)
            .filter(\.$businessAccountID == template.businessAccountID)
            .filter(\.$name == template.name)
            .delete()
    }

    /// Queues a sync of every connected account's templates. No unique key: a sync already running
    /// may have read Meta's list before the change the person is waiting for.
    func syncAll() async throws {
        for connection in try await scope.query(WhatsAppConnection.self).filter(\.$state == .active).all() {
            try await jobs.enqueue(
                .init(
                    SyncMessageTemplates.self, .init(connectionID: try connection.requireID()), organizationID: scope.organizationID
                ))
        }
    }

    private func connection(_ id: UUID?) async throws -> WhatsAppConnection {
        if let id, let connection = try await scope.find(WhatsAppConnection.self, id) { return connection }
        if id == nil, let first = try await scope.query(WhatsAppConnection.self).sort(\.$createdAt).first() { return first }
        throw TemplateProblem(description: "connect a WhatsApp number first")
    }

    private func token(_ connection: WhatsAppConnection) async throws -> String {
        try await services.vault.open(connection.accessTokenSealed, for: scope.organizationID, purpose: .whatsAppAccessToken, on: scope.database)
    }

    private func noteBrokenToken(_ error: GraphError, _ connection: WhatsAppConnection) async throws {
        try await ConnectionHealth.record(error, for: connection, at: now, on: scope.database)
    }
}
