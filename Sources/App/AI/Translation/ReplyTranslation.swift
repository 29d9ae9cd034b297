import ADSappCore
import Fluent
import Foundation
import Vapor

/// A member's reply translated into the customer's language before it is sent; the member's own
/// words are kept beside it as a private note.
enum ReplyTranslation {
    /// Longer replies are not translated: the original must fit its note (`Notes.maxLength`).
    static let maxLength = 3_800

    struct TooLong: Error {}

    /// The language to translate this member's replies into: the customer's, when translation is
    /// on, the server has a provider, the customer's language is known and is not the member's.
    static func customerLanguage(of conversationID: UUID, _ request: Request, _ tenant: Tenant) async throws -> String? {
        guard request.context.configuration.ai != nil,
            try await OrganizationAISettings.of(tenant.scope, now: request.now).enabledFeatures.contains(.translation)
        else { return nil }
        return try await customerLanguage(of: conversationID, unlike: request.localizer.language, in: tenant.scope)
    }

    /// The customer's language, when it is known and is not `language` (translation known to be on).
    static func customerLanguage(of conversationID: UUID, unlike language: Language, in scope: TenantScope) async throws -> String? {
        let customer = try await scope.query(ConversationAIState.self).filter(\.$conversationID == conversationID).first()?.customerLanguage
        return customer == language.rawValue ? nil : customer
    }

    /// `text` in the customer's language, and the note that keeps the original. Throws `TooLong`,
    /// an `AIRefusal`, the provider's error or an `AIOutput.Problem`: nothing is sent then.
    static func translate(_ text: String, in conversationID: UUID, _ request: Request, _ tenant: Tenant) async throws -> (text: String, note: String) {
        let t = request.localizer
        guard let language = try await customerLanguage(of: conversationID, request, tenant) else { throw AIRefusal.featureOff(.translation) }
        guard text.count <= maxLength else { throw TooLong() }
        let translation = try await request.conversationAssistance(tenant).translate(text, into: [language])
        let note = t(.aiTranslatedReplyNote, ["language": languageName(language, in: t.language), "text": text])
        return (translation.texts[language]!, note)
    }

    /// "German" / "Duits" for `de`; the code itself when the name is not known.
    static func languageName(_ code: String, in language: Language) -> String {
        Locale(identifier: language.rawValue).localizedString(forLanguageCode: code) ?? code
    }
}
