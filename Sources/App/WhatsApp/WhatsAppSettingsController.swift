import ADSappCore
import Fluent
import Vapor

/// Settings → WhatsApp numbers (the web page; the API is `WhatsAppAPIController`).
enum WhatsAppSettingsController {
    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        try await render(request, tenant, form: ConnectionInput(), error: nil, status: .ok)
    }

    static func connect(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try request.content.decode(ConnectionInput.self)
        return try await connect(request, tenant: tenant, input: input)
    }

    static func check(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let connection = try await tenant.find(WhatsAppConnection.self, parameter: SiteURL.connectionID, of: request)
        try await ConnectionSetup(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).check(connection)
        return request.redirect(to: SiteURL.whatsAppSettings.path + "?notice=checked", redirectType: .normal)
    }

    private static func connect(_ request: Request, tenant: Tenant, input: ConnectionInput) async throws -> Response {
        do {
            _ = try await ConnectionSetup(
                scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now, billing: request.billingAccess
            ).connect(input)
        } catch let refusal as BillingRefusal {
            var kept = input
            kept.accessToken = nil
            kept.appSecret = nil
            return try await render(request, tenant, form: kept, error: refusal.text(request.localizer), status: .paymentRequired)
        } catch let problem as ConnectionProblem {
            var kept = input
            kept.accessToken = nil
            kept.appSecret = nil
            return try await render(request, tenant, form: kept, error: problem.message(request.localizer), status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.whatsAppSettings.path + "?notice=connected", redirectType: .normal)
    }

    private static func render(_ request: Request, _ tenant: Tenant, form: ConnectionInput, error: String?, status: HTTPResponseStatus) async throws -> Response
    {
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "connected": t(.whatsappNoticeConnected)
            case "checked": t(.whatsappNoticeChecked)
            default: nil
            }
        let model = try await WhatsAppSettingsPage.query(request, tenant, notice: notice, form: form, error: error)
        return try await HTMLResponse(status: status, html: WhatsAppSettingsPage.html(model, Chrome.make(for: request, section: .settings)))
            .encodeResponse(for: request)
    }
}
