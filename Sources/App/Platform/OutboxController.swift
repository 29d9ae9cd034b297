import Fluent
import Vapor

/// `/admin/outbox`: platform operators read the emails the local outbox holds.
enum OutboxController {
    static func list(_ request: Request) async throws -> Response {
        let model = try await OutboxPage.query(request)
        return try await HTMLResponse(html: OutboxPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }

    static func show(_ request: Request) async throws -> Response {
        let model = try await OutboxEmailPage.query(request)
        return try await HTMLResponse(html: OutboxEmailPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }

    /// What the sandbox allows the HTML part: its inline styles and embedded images, nothing else. No
    /// `allow-scripts` and no `allow-same-origin`: a script in an email never runs, and the part has
    /// an opaque origin (no cookies, no access to the app) even when opened on its own.
    static let htmlPolicy = [
        "sandbox",
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
    ].joined(separator: "; ")

    /// The HTML part, as it was sent, under a sandboxing policy.
    static func html(_ request: Request) async throws -> Response {
        let email = try await email(request)
        let response = Response(status: .ok, body: .init(string: email.htmlBody))
        response.headers.contentType = .init(type: "text", subType: "html", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: htmlPolicy)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    static func email(_ request: Request) async throws -> OutboxEmail {
        guard let id = request.parameters.get(SiteURL.outboxEmailID, as: UUID.self), let email = try await OutboxEmail.find(id, on: request.db) else {
            throw Abort(.notFound)
        }
        return email
    }
}
