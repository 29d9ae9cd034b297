import Fluent
import Foundation
import Jobs
import LLM

/// The AI help on one conversation: a reply draft (whole, or streamed into the composer), a summary,
/// a message's sentiment and the conversation's category. None sends anything: a draft goes into
/// the composer for the agent to edit and send; a summary becomes a private note.
struct ConversationAssistance: Sendable {
    let assistant: AIAssistant
    let businessName: String

    /// The conversation's most recent messages with the organization's notes (`AIPrompt`'s material).
    /// `upTo`: only that message and those before it (the newest last).
    func material(of conversationID: UUID, upTo last: Message? = nil, summaryLanguage: String? = nil) async throws -> ConversationMaterial {
        let scope = assistant.scope
        var query = scope.query(Message.self).filter(\.$conversation.$id == conversationID)
        if let last { query = query.filter(\.$sentAt <= last.sentAt) }
        let messages = try await query.sort(\.$sentAt, .descending).sort(\.$createdAt, .descending).limit(ConversationMaterial.maxMessages).all()
        let settings = try await OrganizationAISettings.of(scope, now: assistant.now)
        return ConversationMaterial(
            business: businessName, businessNotes: settings.knowledge,
            messages: messages.reversed().map { message in
                // `body` is the list's preview (200 characters): a prompt reads the whole text.
                let content = MessageContent.parse(message.content)
                var text = content.text.flatMap { $0.isEmpty ? nil : $0 } ?? message.body ?? "[\(message.kind)]"
                if text.count > ConversationMaterial.maxMessageLength { text = String(text.prefix(ConversationMaterial.maxMessageLength)) + "…" }
                return .init(from: message.direction == .inbound ? .customer : .business, text: text, at: message.sentAt)
            },
            summaryLanguage: summaryLanguage)
    }

    /// A whole draft, checked (`AIOutput.draft`).
    func draft(for conversationID: UUID) async throws -> String {
        let request = try AIPrompt.draft.request(try await material(of: conversationID))
        return try AIOutput.draft(try await assistant.complete(request, for: .draft, prompt: .draft).content)
    }

    /// A draft as it is written. The pieces are shown as they come; the whole is checked when done
    /// (`AIOutput.draft`), and a draft that fails the check ends the stream with that problem.
    func streamDraft(for conversationID: UUID) async throws -> AsyncThrowingStream<String, any Error> {
        let request = try AIPrompt.draft.request(try await material(of: conversationID))
        let pieces = try await assistant.stream(request, for: .draft, prompt: .draft)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var whole = ""
                do {
                    for try await piece in pieces {
                        whole += piece
                        continuation.yield(piece)
                    }
                    _ = try AIOutput.draft(whole)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// How the customer sounds in `message`, with the messages before it as context (`AIOutput.sentiment`).
    func sentiment(of message: Message) async throws -> Sentiment {
        var material = try await material(of: message.$conversation.id, upTo: message)
        material.businessNotes = ""
        let answer = try await assistant.complete(try AIPrompt.sentiment.request(material), for: .sentiment, prompt: .sentiment)
        return try AIOutput.sentiment(answer.content).sentiment
    }

    /// The category among `categories` the conversation fits, or nil (`AIOutput.category`).
    func category(of conversationID: UUID, among categories: [String]) async throws -> String? {
        var material = try await material(of: conversationID)
        material.businessNotes = ""
        material.categories = categories
        let request = try AIPrompt.category.request(material, schema: AIOutput.categorySchema(categories))
        let answer = try await assistant.complete(request, for: .category, prompt: .category)
        return try AIOutput.category(answer.content, among: categories)
    }

    /// An automatic answer to the conversation's latest messages, checked (`AIOutput.autoAnswer`):
    /// nil as the answer when the model hands the conversation to a person.
    func autoAnswer(for conversationID: UUID) async throws -> (answer: String?, confidence: Double) {
        let request = try AIPrompt.autoAnswer.request(try await material(of: conversationID))
        return try AIOutput.autoAnswer(try await assistant.complete(request, for: .autoAnswer, prompt: .autoAnswer).content)
    }

    /// `text` in each of `languages` (ISO 639-1), and the language it is written in (`AIOutput.translation`).
    func translate(_ text: String, into languages: [String]) async throws -> (source: String, texts: [String: String]) {
        let request = try AIPrompt.translation.request(TranslationMaterial(text: text, languages: languages))
        return try AIOutput.translation(try await assistant.complete(request, for: .translation, prompt: .translation).content, into: languages)
    }

    /// A summary in the member's language, checked (`AIOutput.summary`).
    func summary(of conversationID: UUID, language: String) async throws -> String {
        let request = try AIPrompt.summary.request(try await material(of: conversationID, summaryLanguage: language))
        return try AIOutput.summary(try await assistant.complete(request, for: .summary, prompt: .summary).content)
    }
}

extension ConversationAssistance {
    /// The assistance of the organization a job runs for, or nil when the organization is gone.
    static func forJob(_ context: JobContext, configuration: AppConfiguration, vault: CredentialVault, now: Date) async throws
        -> ConversationAssistance?
    {
        guard let organizationID = context.organizationID, let organization = try await Organization.find(organizationID, on: context.database)
        else { return nil }
        let scope = TenantScope(organizationID: organizationID, database: context.database)
        return ConversationAssistance(
            assistant: .make(scope: scope, timeZone: organization.timeZone, configuration: configuration, vault: vault, now: now),
            businessName: organization.name)
    }
}
