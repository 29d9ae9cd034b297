import ADSappCore
import Fluent
import Foundation

/// Whether an automatic answer may go to a customer's message, checked before the model is asked
/// and again before the answer is sent. Some guardrails keep the AI quiet and leave the conversation
/// as it is (a person has it, a newer message came, the window closed, the contact opted out, the
/// hours are not the ones chosen); the others hand it to a person (a hand-off word, the most answers
/// a conversation may get). The model's own verdict (a hand-off, or too little confidence) hands off
/// too (`AnswerAutomatically`).
struct AutoAnswerGuardrails: Sendable {
    enum Decision: Equatable, Sendable {
        case ask
        case stayQuiet(Quiet)
        case handOff(HandOff)
    }

    enum Quiet: String, Equatable, Sendable {
        /// The conversation is gone, assigned to a member, or handed off before.
        case person
        /// The customer wrote again: that message's answer is the one to give.
        case newerMessage
        /// Someone (a member, a drip) wrote to the customer since.
        case answered
        case optedOut
        case windowClosed
        case hours
    }

    enum HandOff: Equatable, Sendable {
        case keyword(String)
        case limit(Int)
        case unsure(confidence: Double)
        case modelAsked

        var code: String {
            switch self {
            case .keyword: "keyword"
            case .limit: "limit"
            case .unsure: "unsure"
            case .modelAsked: "model"
            }
        }

        func text(_ t: Localizer) -> String {
            switch self {
            case .keyword(let word): t(.aiHandOffKeyword, ["word": word])
            case .limit(let count): t(.aiHandOffLimit, ["count": String(count)])
            case .unsure(let confidence): t(.aiHandOffUnsure, ["confidence": String(Int((confidence * 100).rounded()))])
            case .modelAsked: t(.aiHandOffModel)
            }
        }
    }

    let settings: OrganizationAISettings
    let scope: TenantScope
    /// The organization's, for its business hours.
    let timeZone: TimeZone

    /// The customer's messages read for hand-off words: those since the business last wrote, at most this many.
    static let keywordWindow = 20

    func decide(for trigger: Message, at now: Date) async throws -> Decision {
        let conversationID = trigger.$conversation.id
        guard let conversation = try await scope.find(Conversation.self, conversationID), conversation.$assignee.id == nil else {
            return .stayQuiet(.person)
        }
        let state = try await scope.query(ConversationAIState.self).filter(\.$conversationID == conversationID).first()
        if state?.handedOffAt != nil { return .stayQuiet(.person) }
        // Messages of one webhook batch share their `createdAt`; the trigger is the batch's latest.
        let since = try await scope.query(Message.self).filter(\.$conversation.$id == conversationID)
            .filter(\.$createdAt > trigger.createdAt).all(\.$direction)
        if since.contains(.inbound) { return .stayQuiet(.newerMessage) }
        if since.contains(.outbound) { return .stayQuiet(.answered) }
        guard let contact = try await scope.find(Contact.self, conversation.$contact.id), contact.marketingStatus != .optedOut else {
            return .stayQuiet(.optedOut)
        }
        guard CustomerServiceWindow(lastInboundAt: conversation.lastInboundAt).isOpen(at: now) else { return .stayQuiet(.windowClosed) }
        guard settings.autoAnswerWhen.allows(settings.businessHours, at: now, in: timeZone) else { return .stayQuiet(.hours) }
        if let word = try await handOffWord(in: conversationID, upTo: trigger) { return .handOff(.keyword(word)) }
        if (state?.autoAnswers ?? 0) >= settings.autoAnswerLimit { return .handOff(.limit(settings.autoAnswerLimit)) }
        return .ask
    }

    /// The first hand-off word in what the customer wrote since the business last wrote.
    private func handOffWord(in conversationID: UUID, upTo trigger: Message) async throws -> String? {
        let keywords = settings.handoffKeywords
        guard !keywords.isEmpty else { return nil }
        let recent = try await scope.query(Message.self).filter(\.$conversation.$id == conversationID)
            .filter(\.$createdAt <= trigger.createdAt).sort(\.$createdAt, .descending).sort(\.$sentAt, .descending)
            .limit(Self.keywordWindow).all()
        let unanswered = recent.prefix { $0.direction == .inbound }
        let texts = unanswered.map { MessageContent.parse($0.content).text ?? $0.body ?? "" }
        return keywords.first { keyword in texts.contains { Self.mentions(keyword, in: $0) } }
    }

    /// Whether `text` holds `keyword` as whole words, whatever the case and accents
    /// ("Mensch" finds "MENSCH!" but not "Menschen").
    static func mentions(_ keyword: String, in text: String) -> Bool {
        func fold(_ value: String) -> String { value.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
        let (needle, haystack) = (fold(keyword), fold(text))
        guard !needle.isEmpty else { return false }
        var start = haystack.startIndex
        while let range = haystack.range(of: needle, range: start..<haystack.endIndex) {
            let before = range.lowerBound == haystack.startIndex ? nil : haystack[haystack.index(before: range.lowerBound)]
            let after = range.upperBound == haystack.endIndex ? nil : haystack[range.upperBound]
            if !(before?.isLetter ?? false || before?.isNumber ?? false), !(after?.isLetter ?? false || after?.isNumber ?? false) { return true }
            start = haystack.index(after: range.lowerBound)
        }
        return false
    }
}
