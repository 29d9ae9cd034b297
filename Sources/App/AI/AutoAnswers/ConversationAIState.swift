import Fluent
import Foundation

/// What the AI keeps about one conversation: the automatic answers it gave since the conversation
/// was last resolved, whether (and why) it handed the conversation to a person, and the language the
/// customer writes in (from the translation of their messages). A conversation without a row has
/// had none of these.
final class ConversationAIState: Model, TenantOwned, @unchecked Sendable {
    static let schema = "conversation_ai_states"
    static var organizationIDKey: KeyPath<ConversationAIState, FieldProperty<ConversationAIState, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "conversation_id") var conversationID: UUID
    @Field(key: "auto_answers") var autoAnswers: Int
    @OptionalField(key: "handed_off_at") var handedOffAt: Date?
    @OptionalField(key: "handoff_reason") var handoffReason: String?
    /// ISO 639-1 (`de`), as the model named it.
    @OptionalField(key: "customer_language") var customerLanguage: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(organizationID: UUID, conversationID: UUID, now: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.conversationID = conversationID
        self.autoAnswers = 0
        self.updatedAt = now
    }

    /// The conversation's row, or a new one (not saved yet).
    static func of(_ conversationID: UUID, in scope: TenantScope, now: Date) async throws -> ConversationAIState {
        try await scope.query(ConversationAIState.self).filter(\.$conversationID == conversationID).first()
            ?? ConversationAIState(organizationID: scope.organizationID, conversationID: conversationID, now: now)
    }

    /// A resolved conversation starts again: automatic answers may help the customer's next question.
    static func resolved(_ conversationIDs: [UUID], in scope: TenantScope) async throws {
        guard !conversationIDs.isEmpty else { return }
        try await scope.query(ConversationAIState.self).filter(\.$conversationID ~~ conversationIDs)
            .set(\.$autoAnswers, to: 0).set(\.$handedOffAt, to: nil).set(\.$handoffReason, to: nil).update()
    }
}
