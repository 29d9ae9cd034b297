import Fluent
import Foundation
import Jobs

/// The AI work new customer messages bring, for the features the organization turned on: their
/// sentiment (`ClassifySentiment`), their conversations' category (`CategorizeConversations`), their
/// translation (`TranslateArrivals`) and an automatic answer (`AnswerAutomatically`). One lookup of
/// the organization's AI settings a webhook batch; nothing more when all are off.
enum AIArrivals {
    /// `messages`: inbound text just stored; `conversations`: theirs.
    static func queue(messages: [UUID], conversations: [UUID], scope: TenantScope, jobs: JobStore) async throws {
        guard !messages.isEmpty else { return }
        guard let settings = try await scope.query(OrganizationAISettings.self).first() else { return }
        var queued: [JobStore.NewJob] = []
        if settings.enabledFeatures.contains(.sentiment) {
            queued.append(try .init(ClassifySentiment.self, .init(messageIDs: messages), organizationID: scope.organizationID))
        }
        if settings.enabledFeatures.contains(.category), !settings.categories.isEmpty {
            var seen: Set<UUID> = []
            let unique = conversations.filter { seen.insert($0).inserted }
            queued.append(try .init(CategorizeConversations.self, .init(conversationIDs: unique), organizationID: scope.organizationID))
        }
        if settings.enabledFeatures.contains(.translation) {
            queued.append(try .init(TranslateArrivals.self, .init(messageIDs: messages), organizationID: scope.organizationID))
        }
        if settings.enabledFeatures.contains(.autoAnswer) {
            // After the translation (queued first, same priority): an answer never waits on it, though.
            queued.append(try .init(AnswerAutomatically.self, .init(messageIDs: messages), organizationID: scope.organizationID))
        }
        try await jobs.enqueue(queued, on: scope.database)
    }
}
