import ADSappCore
import Fluent
import Foundation
import Jobs
import LLM

/// Automatic answers, for organizations that turned them on: a customer's new text message is
/// answered by the AI from the organization's notes and the thread, within the guardrails
/// (`AutoAnswerGuardrails`). Where a guardrail says a person should answer, the conversation is
/// handed off: a private note says why, and no automatic answer follows until it is resolved.
///
/// Queued by `AIArrivals` once a webhook batch; each conversation is answered for its customer's
/// latest message only. The guardrails are checked again after the model answered (a member may
/// have taken over meanwhile), and the answer is recorded with its send in one transaction, so a
/// retried job finds it and sends nothing twice. A refusal (the feature turned off since, the
/// budget or the credits spent, no provider, an organization that may not send) ends the job; a
/// provider failure is retried.
struct AnswerAutomatically: JobHandler {
    struct Payload: Codable, Sendable {
        /// Inbound text messages just stored.
        var messageIDs: [UUID]
    }

    static let kind = "ai.auto_answer"
    static let queue: QueueName = .ai
    static let maxAttempts = 3
    /// The author of hand-off notes, in every language.
    static let authorName = "AI"

    let context: AppContext
    let vault: CredentialVault
    let wakeup: JobWakeup
    let inboxWakeUp: Signal
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        let configuration = self.context.configuration
        guard let assistance = try await ConversationAssistance.forJob(context, configuration: configuration, vault: vault, now: now()) else { return }
        let scope = assistance.assistant.scope
        let settings = try await OrganizationAISettings.of(scope, now: now())
        guard settings.enabledFeatures.contains(.autoAnswer) else { return }
        do {
            // An organization that may not send (no plan, or read-only after its payment failed) gets no answers sent for it.
            try await assistance.assistant.billing.requireSending(scope.organizationID, on: scope.database)
        } catch let refusal as BillingRefusal {
            context.logger.info("no automatic answers", metadata: ["reason": .string(refusal.reason)])
            return
        }
        let messages = try await scope.query(Message.self).filter(\.$id ~~ payload.messageIDs).filter(\.$direction == .inbound).sort(\.$sentAt).all()
        var latest: [UUID: Message] = [:]
        for message in messages { latest[message.$conversation.id] = message }
        let guardrails = AutoAnswerGuardrails(settings: settings, scope: scope, timeZone: assistance.assistant.timeZone)
        for trigger in latest.values.sorted(by: { $0.sentAt < $1.sentAt }) {
            do {
                try await answer(trigger, guardrails: guardrails, assistance: assistance)
            } catch let refusal as AIRefusal {
                context.logger.info("no automatic answers", metadata: ["reason": .string(refusal.description)])
                return
            }
        }
    }

    private func answer(_ trigger: Message, guardrails: AutoAnswerGuardrails, assistance: ConversationAssistance) async throws {
        let scope = guardrails.scope
        let conversationID = trigger.$conversation.id
        switch try await guardrails.decide(for: trigger, at: now()) {
        case .stayQuiet: return
        case .handOff(let reason): return try await handOff(conversationID, reason, scope: scope)
        case .ask: break
        }
        let verdict = try await assistance.autoAnswer(for: conversationID)
        guard let answer = verdict.answer else { return try await handOff(conversationID, .modelAsked, scope: scope) }
        guard verdict.confidence >= guardrails.settings.autoAnswerConfidence else {
            return try await handOff(conversationID, .unsure(confidence: verdict.confidence), scope: scope)
        }
        // The model took a while: a member may have answered or taken the conversation meanwhile.
        guard case .ask = try await guardrails.decide(for: trigger, at: now()) else { return }
        let (wakeUp, now) = (inboxWakeUp, now())
        let jobs = JobStore(database: scope.database, now: self.now, wakeup: wakeup)
        try await scope.transaction { scope in
            guard let conversation = try await scope.find(Conversation.self, conversationID) else { return }
            let state = try await ConversationAIState.of(conversationID, in: scope, now: now)
            _ = try await MessageSending(scope: scope, jobs: jobs, inboxWakeUp: wakeUp, now: now)
                .queue(.text(answer), in: conversation, sender: nil, origin: .autoAnswer)
            state.autoAnswers += 1
            state.updatedAt = now
            try await state.save(on: scope.database)
        }
    }

    /// Leaves the conversation to a person: no automatic answer until it is resolved, and a private
    /// note (in the language of the organization's first owner) that says why.
    private func handOff(_ conversationID: UUID, _ reason: AutoAnswerGuardrails.HandOff, scope: TenantScope) async throws {
        let now = now()
        let owner = try await scope.query(Membership.self).filter(\.$role == .owner).sort(\.$createdAt).with(\.$user).first()
        let t = Localizer(language: owner?.user.language.flatMap(Language.init(rawValue:)) ?? .default, catalog: context.catalog)
        let (wakeUp, text) = (inboxWakeUp, t(.aiHandOffNote, ["reason": reason.text(t)]))
        try await scope.transaction { scope in
            let state = try await ConversationAIState.of(conversationID, in: scope, now: now)
            guard state.handedOffAt == nil else { return }
            state.handedOffAt = now
            state.handoffReason = reason.code
            state.updatedAt = now
            try await state.save(on: scope.database)
            try await Notes(scope: scope, wakeUp: wakeUp, now: now)
                .add(text, to: conversationID, authorID: nil, authorName: Self.authorName, mentioning: false)
        }
    }
}
