import ADSappCore
import Fluent
import Vapor

extension WhatsAppSettingsPage {
    /// The organization's numbers with their webhook addresses, and (for those who manage them) each
    /// own-app connection's verify token.
    static func query(_ request: Request, _ tenant: Tenant, notice: String?, form: ConnectionInput, error: String?) async throws -> Model {
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
        return Model(
            rows: connections.map {
                .init(
                    id: $0.id!, displayPhoneNumber: $0.displayPhoneNumber, verifiedName: $0.verifiedName, quality: $0.qualityRating,
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
    }
}
