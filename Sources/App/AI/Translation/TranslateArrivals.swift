import ADSappCore
import Fluent
import Foundation
import Jobs
import LLM

/// Translation of what customers write, for organizations that turned it on: each inbound text
/// message is translated into the languages the organization's members read the app in, in one
/// request that also names the customer's language. A translation is kept only where the customer
/// wrote in another language; the conversation remembers the customer's language, so replies can
/// be translated into it (`ReplyTranslation`).
///
/// Queued by `AIArrivals` once a webhook batch. A refusal (the feature turned off since, the budget
/// or the credits spent, no provider) ends the job; a provider failure or an answer outside the
/// schema is retried.
struct TranslateArrivals: JobHandler {
    struct Payload: Codable, Sendable {
        var messageIDs: [UUID]
    }

    static let kind = "ai.translation"
    static let queue: QueueName = .ai
    static let maxAttempts = 3

    let configuration: AppConfiguration
    let vault: CredentialVault
    let inboxWakeUp: Signal
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let assistance = try await ConversationAssistance.forJob(context, configuration: configuration, vault: vault, now: now()) else { return }
        let scope = assistance.assistant.scope
        guard try await OrganizationAISettings.of(scope, now: now()).enabledFeatures.contains(.translation) else { return }
        let languages = try await Self.memberLanguages(scope)
        let translated = Set(try await scope.query(MessageTranslation.self).filter(\.$messageID ~~ payload.messageIDs).all(\.$messageID))
        let messages = try await scope.query(Message.self).filter(\.$id ~~ payload.messageIDs).filter(\.$direction == .inbound).sort(\.$sentAt).all()
        for message in messages where !translated.contains(try message.requireID()) {
            guard let text = MessageContent.parse(message.content).text, !text.isEmpty else { continue }
            let translation: (source: String, texts: [String: String])
            do {
                translation = try await assistance.translate(text, into: languages)
            } catch let refusal as AIRefusal {
                context.logger.info("messages not translated", metadata: ["reason": .string(refusal.description)])
                return
            }
            try await store(translation, of: message, scope: scope)
        }
    }

    private func store(_ translation: (source: String, texts: [String: String]), of message: Message, scope: TenantScope) async throws {
        let (messageID, conversationID, now, wakeUp) = (try message.requireID(), message.$conversation.id, now(), inboxWakeUp)
        try await scope.transaction { scope in
            for (language, text) in translation.texts.sorted(by: { $0.key < $1.key }) where language != translation.source {
                try await MessageTranslation(
                    organizationID: scope.organizationID, messageID: messageID, language: language, sourceLanguage: translation.source, text: text,
                    now: now
                ).create(on: scope.database)
            }
            let state = try await ConversationAIState.of(conversationID, in: scope, now: now)
            state.customerLanguage = translation.source
            state.updatedAt = now
            try await state.save(on: scope.database)
            try await InboxEventLog(database: scope.database, wakeUp: wakeUp, now: now)
                .record(.conversation, conversations: [conversationID], data: ["change": "translation"])
        }
    }

    /// The languages the organization's members read the app in (their own choice, else the default).
    static func memberLanguages(_ scope: TenantScope) async throws -> [String] {
        let members = try await scope.query(Membership.self).with(\.$user).all()
        let languages = Set(members.map { $0.user.language.flatMap(Language.init(rawValue:)) ?? .default })
        return Language.allCases.filter(languages.contains).map(\.rawValue)
    }
}
