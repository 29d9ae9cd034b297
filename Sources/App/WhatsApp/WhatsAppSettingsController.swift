import ADSappCore
import Fluent
import Vapor

/// Settings → WhatsApp numbers (the web page; the API is `WhatsAppAPIController`).
enum WhatsAppSettingsController {
    static func page(_ request: Request, _: Tenant) async throws -> Response {
        try await render(request, form: ConnectionInput(), error: nil, status: .ok)
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
            _ = try await ConnectionSetup(scope: tenant.scope, services: request.whatsApp, jobs: request.jobs, now: request.now).connect(input)
        } catch let problem as ConnectionProblem {
            var kept = input
            kept.accessToken = nil
            kept.appSecret = nil
            return try await render(request, form: kept, error: problem.message(request.localizer), status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.whatsAppSettings.path + "?notice=connected", redirectType: .normal)
    }

    private static func render(_ request: Request, form: ConnectionInput, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let tenant = try request.tenant()
        let t = request.localizer
        let settings = request.whatsApp.settings
        let appURL = request.context.configuration.appURL
        let connections = try await tenant.scope.query(WhatsAppConnection.self).sort(\.$createdAt).all()
        let canManage = tenant.role.can(.manageChannels)
        // Only a connection's own verify token, for a connection with its own Meta app; the
        // platform's token belongs to the operator.
        var ownVerifyTokens: [UUID: String] = [:]
        if canManage {
            for connection in connections where connection.appSecretSealed != nil {
                guard let sealed = connection.verifyTokenSealed else { continue }
                ownVerifyTokens[connection.id!] = try await request.whatsApp.vault.open(
                    sealed, for: tenant.scope.organizationID, purpose: .whatsAppVerifyToken, on: request.db
                )
            }
        }
        let notice: String? = switch request.query[String.self, at: "notice"] {
        case "connected": t(.whatsappNoticeConnected)
        case "checked": t(.whatsappNoticeChecked)
        default: nil
        }
        let model = WhatsAppSettingsPage.Model(
            rows: connections.map {
                .init(id: $0.id!, displayPhoneNumber: $0.displayPhoneNumber, verifiedName: $0.verifiedName, quality: $0.qualityRating,
                      isBroken: $0.state == .broken, stateDetail: $0.stateDetail,
                      webhookURL: WhatsAppWebhookURLs.url(for: $0, appURL: appURL),
                      phoneNumberID: $0.phoneNumberID, businessAccountID: $0.businessAccountID, ownVerifyToken: ownVerifyTokens[$0.id!])
            },
            callbackURL: WhatsAppWebhookURLs.platform(appURL: appURL),
            hasPlatformSecret: settings.appSecret != nil,
            canManage: canManage,
            notice: notice,
            error: error,
            form: form
        )
        return try await HTMLResponse(status: status, html: WhatsAppSettingsPage.html(model, Chrome.make(for: request, section: .settings)))
            .encodeResponse(for: request)
    }
}
