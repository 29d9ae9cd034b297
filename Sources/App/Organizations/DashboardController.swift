import ADSappCore
import Fluent
import Vapor

/// The dashboard, the sections later releases fill in, and settings.
enum DashboardController {
    static func home(_ request: Request) async throws -> Response {
        request.redirect(to: request.signedIn == nil ? SiteURL.signIn.path : SiteURL.dashboard.path)
    }

    static func dashboard(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let model = try await DashboardPage.query(tenant)
        return try await HTMLResponse(html: DashboardPage.html(model, Chrome.make(for: request, section: .dashboard))).encodeResponse(for: request)
    }

    static func section(_ url: SiteURL, title: TextKey, about: TextKey) -> @Sendable (Request, Tenant) async throws -> Response {
        { request, _ in
            try await HTMLResponse(html: SectionPage.html(title: title, about: about, Chrome.make(for: request, section: url))).encodeResponse(for: request)
        }
    }

    static func settings(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let html = SettingsPage.html(
            try await Chrome.make(for: request, section: .settings), showsBilling: tenant.role.can(.manageBilling),
            showsAI: tenant.role.can(.manageOrganizationSettings))
        return try await HTMLResponse(html: html).encodeResponse(for: request)
    }
}
