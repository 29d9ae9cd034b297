import ADSappCore
import Foundation

/// Settings → WhatsApp numbers: the connected numbers, the webhook to paste into Meta, the connect form.
enum WhatsAppSettingsPage {
    struct Row {
        var id: UUID
        var displayPhoneNumber: String
        var verifiedName: String?
        var quality: String?
        var isBroken: Bool
        var stateDetail: String?
        var webhookURL: String
        var phoneNumberID: String
        var businessAccountID: String
        /// The verify token of a connection with its own Meta app, for those who manage numbers.
        /// The platform's own token is never shown to a tenant.
        var ownVerifyToken: String? = nil
    }

    struct Model {
        var rows: [Row]
        var callbackURL: String
        var hasPlatformSecret: Bool
        var canManage: Bool
        var notice: String?
        var error: String?
        var form: ConnectionInput
    }
}
