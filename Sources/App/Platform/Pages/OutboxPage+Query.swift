import Fluent
import Vapor

extension OutboxPage {
    static func query(_ request: Request) async throws -> Model {
        let page = max(1, min(request.query[Int.self, at: "page"] ?? 1, 100_000))
        let emails = try await OutboxEmail.query(on: request.db)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending)
            .range(((page - 1) * pageSize)..<(page * pageSize + 1))
            .all()
        return Model(
            rows: emails.prefix(pageSize).map { .init(id: $0.id!, kind: $0.kind, to: $0.toAddress, subject: $0.subject, createdAt: $0.createdAt) },
            page: page, hasNext: emails.count > pageSize, provider: request.context.configuration.email.summary)
    }
}

extension OutboxEmailPage {
    static func query(_ request: Request) async throws -> Model {
        let email = try await OutboxController.email(request)
        let id = try email.requireID()
        return Model(
            id: id, kind: email.kind, subject: email.subject, createdAt: email.createdAt, headers: email.headers.map { ($0.name, $0.value) },
            text: email.textBody, links: email.links, htmlURL: SiteURL.adminOutboxEmailHTML(.value(id)).path)
    }
}
