import Fluent
import Foundation
import WhatsAppCloud

/// Meta's `user_preferences` webhook: a customer stopped or resumed marketing messages in WhatsApp
/// itself. Acted on for the contact with that WhatsApp id in one organization (the caller's scope:
/// the organization of a number the webhook's verifier proved), never elsewhere.
enum MarketingPreferences {
    static func apply(_ preferences: [UserPreference], in scope: TenantScope, now: Date) async throws {
        for preference in preferences where preference.category == "marketing_messages" {
            let status: MarketingStatus
            switch preference.value.lowercased() {
            case "stop": status = .optedOut
            case "resume": status = .optedIn
            default: continue
            }
            guard let waID = preference.waID,
                let contact = try await scope.query(Contact.self).filter(\.$waID == waID).filter(\.$erasedAt == nil).first()
            else { continue }
            let at = preference.timestamp ?? now
            // A late or replayed change older than the contact's last consent change does not undo it.
            if let changedAt = contact.marketingChangedAt, changedAt > at { continue }
            _ = try await scope.transaction { scope in
                try await MarketingConsent.change(contact.requireID(), to: status, source: .whatsAppPreferences, actor: nil, at: at, in: scope)
            }
        }
    }
}
