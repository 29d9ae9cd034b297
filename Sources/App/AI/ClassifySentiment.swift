import Fluent
import Foundation
import Jobs
import LLM
import SQLKit

/// The sentiment of inbound text messages, for organizations that turned the feature on: each
/// message is classified with its conversation's recent messages as context, and the conversation
/// takes the sentiment of its customer's latest classified message (the list filters on it).
///
/// Queued by `AIArrivals` once a webhook batch with the batch's text messages. A refusal (the
/// feature turned off since, the budget or the plan's credits spent, no provider) ends the job: the
/// messages stay unclassified. A provider failure or an answer outside the schema is retried.
struct ClassifySentiment: JobHandler {
    struct Payload: Codable, Sendable {
        var messageIDs: [UUID]
    }

    static let kind = "ai.sentiment"
    static let queue: QueueName = .ai
    static let maxAttempts = 3

    let configuration: AppConfiguration
    let vault: CredentialVault
    let inboxWakeUp: Signal
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let assistance = try await ConversationAssistance.forJob(context, configuration: configuration, vault: vault, now: now()) else { return }
        let scope = assistance.assistant.scope
        let messages = try await scope.query(Message.self).filter(\.$id ~~ payload.messageIDs).filter(\.$direction == .inbound)
            .filter(\.$sentiment == nil).sort(\.$sentAt).all()
        for message in messages {
            let sentiment: Sentiment
            do {
                sentiment = try await assistance.sentiment(of: message)
            } catch let refusal as AIRefusal {
                context.logger.info("sentiment not classified", metadata: ["reason": .string(refusal.description)])
                return
            }
            message.sentiment = sentiment.rawValue
            try await message.save(on: context.database)
            // The conversation follows its newest classified message, whichever finishes last.
            try await scope.sql { organization in
                """
                UPDATE conversations SET sentiment = \(bind: sentiment.rawValue)
                WHERE id = \(bind: message.$conversation.id) AND organization_id = \(bind: organization)
                AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'inbound'
                  AND m.sentiment IS NOT NULL AND m.sent_at > \(bind: message.sentAt))
                """
            }.run()
            try await InboxEventLog(database: context.database, wakeUp: inboxWakeUp, now: now())
                .record(.conversation, conversations: [message.$conversation.id], data: ["change": "sentiment"])
        }
    }
}
