import Fluent
import Vapor

/// Settings → Notifications, and the one-click unsubscribe that mailed links open without a session.
enum NotificationsController {
    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let notice = request.query[String.self, at: "notice"] == "saved" ? request.localizer(.notificationsSaved) : nil
        let model = try await NotificationSettingsPage.query(request, tenant, notice: notice)
        return try await HTMLResponse(html: NotificationSettingsPage.html(model, Chrome.make(for: request, section: .settings))).encodeResponse(for: request)
    }

    struct Form: Content {
        var mention: String?
        var assignment: String?
        var digest: String?
    }

    static func save(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(Form.self)
        try await NotificationPreference.change(membershipID: try tenant.membership.requireID(), in: tenant.scope, now: request.now) {
            $0.mention = form.mention == "on"
            $0.assignment = form.assignment == "on"
            $0.dailyDigest = form.digest == "on"
        }
        return request.redirect(to: SiteURL.notificationSettings.path + "?notice=saved", redirectType: .normal)
    }

    /// `GET /unsubscribe/:token`: a page with one button. A GET changes nothing (link scanners follow links).
    static func confirmPage(_ request: Request) async throws -> Response {
        let token = request.parameters.get(SiteURL.token) ?? ""
        guard let link = try await NotificationUnsubscribe.find(token: token, on: request.db, now: request.now) else {
            return try await render(request, .init(state: .invalid), status: .notFound)
        }
        let organization = try await Organization.find(link.organizationID, on: request.db)
        return try await render(
            request,
            .init(
                state: .confirm(action: SiteURL.unsubscribe.path(token: token)), kind: NotificationKind(rawValue: link.kind),
                organizationName: organization?.name),
            status: .ok)
    }

    /// `POST /unsubscribe/:token`: turns that kind off for that member (RFC 8058 one-click: mail
    /// providers post `List-Unsubscribe=One-Click` without cookies or a CSRF token; the token is the proof).
    static func unsubscribe(_ request: Request) async throws -> Response {
        let token = request.parameters.get(SiteURL.token) ?? ""
        guard let link = try await NotificationUnsubscribe.find(token: token, on: request.db, now: request.now),
            let kind = NotificationKind(rawValue: link.kind)
        else {
            return try await render(request, .init(state: .invalid), status: .notFound)
        }
        let scope = TenantScope(organizationID: link.organizationID, database: request.db)
        guard try await scope.find(Membership.self, link.membershipID) != nil else {
            return try await render(request, .init(state: .invalid), status: .notFound)
        }
        try await NotificationPreference.change(membershipID: link.membershipID, in: scope, now: request.now) { $0.set(kind, false) }
        let organization = try await Organization.find(link.organizationID, on: request.db)
        return try await render(request, .init(state: .done, kind: kind, organizationName: organization?.name), status: .ok)
    }

    private static func render(_ request: Request, _ model: UnsubscribePage.Model, status: HTTPResponseStatus) async throws -> Response {
        let response = try await HTMLResponse(html: UnsubscribePage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
        response.status = status
        return response
    }
}
