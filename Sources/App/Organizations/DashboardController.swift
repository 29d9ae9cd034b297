import ADSappCore
import Fluent
import Vapor

/// The dashboard, the sections later releases fill in, and settings.
enum DashboardController {
    static func home(_ request: Request) async throws -> Response {
        request.redirect(to: request.signedIn == nil ? SiteURL.signIn.path : SiteURL.dashboard.path)
    }

    static func dashboard(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        let model = DashboardPage.Model(
            userName: tenant.user.name,
            organizationName: tenant.organization.name,
            role: tenant.role,
            memberCount: try await tenant.scope.query(Membership.self).count()
        )
        return try await HTMLResponse(html: DashboardPage.html(model, Chrome.make(for: request, section: .dashboard))).encodeResponse(for: request)
    }

    static func section(_ url: SiteURL, title: TextKey, about: TextKey) -> @Sendable (Request) async throws -> Response {
        { request in
            _ = try request.tenant()
            return try await HTMLResponse(html: SectionPage.html(title: title, about: about, Chrome.make(for: request, section: url))).encodeResponse(for: request)
        }
    }

    static func settings(_ request: Request) async throws -> Response {
        _ = try request.tenant()
        return try await HTMLResponse(html: SettingsPage.html(Chrome.make(for: request, section: .settings))).encodeResponse(for: request)
    }
}
