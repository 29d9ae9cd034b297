import Fluent
import Foundation
import Jobs
import LLM

/// Sorts conversations into the organization's own categories: a conversation whose customer wrote
/// and that carries none of the categories' tags yet is classified once, and the category it fits
/// becomes its tag (made when the organization has no tag of that name). An answer of "none", or one
/// less sure than `AIOutput.minimumConfidence`, tags nothing; an answer outside the categories is
/// retried. A refusal (the feature turned off since, the budget or the credits spent, no provider)
/// ends the job.
struct CategorizeConversations: JobHandler {
    struct Payload: Codable, Sendable {
        var conversationIDs: [UUID]
    }

    static let kind = "ai.category"
    static let queue: QueueName = .ai
    static let maxAttempts = 3

    let configuration: AppConfiguration
    let vault: CredentialVault
    let inboxWakeUp: Signal
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let assistance = try await ConversationAssistance.forJob(context, configuration: configuration, vault: vault, now: now()) else { return }
        let scope = assistance.assistant.scope
        let settings = try await OrganizationAISettings.of(scope, now: now())
        let categories = settings.categories
        guard settings.enabledFeatures.contains(.category), !categories.isEmpty else { return }
        let categoryTags = try await scope.query(Tag.self).filter(\.$name ~~ categories).all()
        for conversationID in payload.conversationIDs {
            let tagged = try await scope.query(ConversationTag.self).filter(\.$conversation.$id == conversationID)
                .filter(\.$tag.$id ~~ categoryTags.compactMap(\.id)).count()
            guard tagged == 0, try await scope.find(Conversation.self, conversationID) != nil else { continue }
            let category: String?
            do {
                category = try await assistance.category(of: conversationID, among: categories)
            } catch let refusal as AIRefusal {
                context.logger.info("conversations not categorized", metadata: ["reason": .string(refusal.description)])
                return
            }
            guard let category else { continue }
            try await tag(conversationID, with: category, scope: scope)
        }
    }

    /// Tags the conversation with the category's tag, made first when the organization has none of that name.
    private func tag(_ conversationID: UUID, with category: String, scope: TenantScope) async throws {
        let (wakeUp, now) = (inboxWakeUp, now())
        try await scope.transaction { scope in
            var tag = try await scope.query(Tag.self).filter(\.$name == category).first()
            if tag == nil {
                let made = Tag(organizationID: scope.organizationID, name: category, createdAt: now)
                try await made.create(on: scope.database)
                tag = made
            }
            let link = ConversationTag()
            link.organizationID = scope.organizationID
            link.$conversation.id = conversationID
            link.$tag.id = try tag!.requireID()
            try await link.create(on: scope.database)
            try await InboxEventLog(database: scope.database, wakeUp: wakeUp, now: now)
                .record(.conversation, conversations: [conversationID], data: ["change": "tags", "by": "AI"])
        }
    }
}
