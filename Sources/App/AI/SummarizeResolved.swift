import ADSappCore
import Fluent
import Foundation
import Jobs

/// A summary of each conversation a member resolves, kept as a private note, for organizations
/// with summaries on: the team finds what happened when the customer writes again. Written in the
/// language of the member who resolved it; conversations of fewer than `minimumMessages` messages
/// are short enough to read and are left alone. A refusal (summaries turned off since, the budget or
/// the plan's credits spent, no provider) ends the job; a provider failure is retried.
struct SummarizeResolved: JobHandler {
    struct Payload: Codable, Sendable {
        var conversationIDs: [UUID]
        /// The member who resolved them: the summary is in their language.
        var membershipID: UUID
        var resolvedAt: Date
    }

    static let kind = "ai.summary.resolved"
    static let queue: QueueName = .ai
    static let maxAttempts = 3
    static let minimumMessages = 4
    /// The author shown on the notes, in every language.
    static let authorName = "AI"

    let context: AppContext
    let vault: CredentialVault
    let inboxWakeUp: Signal
    let now: @Sendable () -> Date

    /// Queues the summaries of `conversationIDs` (just resolved) when the organization has summaries on.
    static func queue(_ conversationIDs: [UUID], by membershipID: UUID, at now: Date, scope: TenantScope, jobs: JobStore) async throws {
        guard !conversationIDs.isEmpty else { return }
        let settings = try await OrganizationAISettings.of(scope, now: now)
        guard settings.enabledFeatures.contains(.summary) else { return }
        let payload = Payload(conversationIDs: conversationIDs, membershipID: membershipID, resolvedAt: now)
        try await jobs.enqueue([try .init(Self.self, payload, organizationID: scope.organizationID)], on: scope.database)
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let assistance = try await ConversationAssistance.forJob(context, configuration: self.context.configuration, vault: vault, now: now()) else {
            return
        }
        let scope = assistance.assistant.scope
        let member = try await scope.query(Membership.self).filter(\.$id == payload.membershipID).with(\.$user).first()
        let language = member?.user.language.flatMap(Language.init(rawValue:)) ?? .default
        let notes = Notes(scope: scope, wakeUp: inboxWakeUp, now: now())
        for conversationID in payload.conversationIDs {
            // Still resolved (not reopened meanwhile), long enough, and not summarized since (a retry).
            guard let conversation = try await scope.find(Conversation.self, conversationID), conversation.status == .resolved,
                try await scope.query(Message.self).filter(\.$conversation.$id == conversationID).count() >= Self.minimumMessages,
                try await scope.query(Note.self).filter(\.$conversation.$id == conversationID).filter(\.$authorID == nil)
                    .filter(\.$authorName == Self.authorName).filter(\.$createdAt >= payload.resolvedAt).count() == 0
            else { continue }
            let summary: String
            do {
                summary = try await assistance.summary(of: conversationID, language: language.rawValue)
            } catch let refusal as AIRefusal {
                context.logger.info("resolved conversations not summarized", metadata: ["reason": .string(refusal.description)])
                return
            }
            let text = Localizer(language: language, catalog: self.context.catalog)(.aiSummaryNote, ["summary": summary])
            try await notes.add(text, to: conversationID, authorID: nil, authorName: Self.authorName, mentioning: false)
        }
    }
}
