import ADSappCore
import Fluent
import Foundation
import Jobs
import Logging

/// Customers' opt-out and opt-in words, acted on as their messages are stored: the consent changes
/// (`MarketingConsent`, source `.keyword`) and a confirmation is queued on the conversation through
/// the normal send path (the window is open: the customer just wrote). Only messages stored for the
/// first time come here, so a replayed webhook never confirms twice.
struct OptOutKeywordReplies: Sendable {
    /// A stored inbound text: its contact and conversation.
    struct Candidate: Sendable {
        var contactID: UUID
        var conversationID: UUID
        var text: String
    }

    let scope: TenantScope
    let jobs: JobStore
    let inboxWakeUp: Signal
    let now: Date
    private static let logger = Logger(label: "contacts.opt-out")

    /// Whether a text could be a keyword at all (cheap, before the organization's lists are read).
    static func mayBeKeyword(_ text: String?) -> Bool {
        guard let text, text.count <= MarketingKeywords.longestWord * 2 else { return false }
        return !MarketingKeywords.normalized(text).isEmpty
    }

    func handle(_ candidates: [Candidate]) async throws {
        guard !candidates.isEmpty, let organization = try await Organization.find(scope.organizationID, on: scope.database) else { return }
        let keywords = MarketingKeywords(of: organization)
        for candidate in candidates {
            guard let meaning = keywords.meaning(of: candidate.text) else { continue }
            let status: MarketingStatus = meaning == .optOut ? .optedOut : .optedIn
            try await MarketingConsent.change(candidate.contactID, to: status, source: .keyword, actor: nil, at: now, in: scope)
            guard let conversation = try await scope.find(Conversation.self, candidate.conversationID) else { continue }
            let reply = Self.confirmation(
                meaning, organization: organization.name, keywords: keywords,
                dutch: Self.isDutch(candidate.text, keywords: keywords, organization: organization))
            do {
                _ = try await MessageSending(scope: scope, jobs: jobs, inboxWakeUp: inboxWakeUp, now: now).queue(.text(reply), in: conversation, sender: nil)
            } catch let refusal as SendRefusal {
                // A message delivered late (the window closed meanwhile) or a disconnected number: the consent still changed.
                Self.logger.warning("opt-out confirmation not sent", metadata: ["reason": .string(refusal.code)])
            }
        }
    }

    /// Contacts have no language of their own yet: the word tells (STOPPEN and AFMELDEN are Dutch,
    /// UNSUBSCRIBE English), else the organization's country (the Netherlands, Belgium, Suriname: Dutch).
    static func isDutch(_ text: String, keywords: MarketingKeywords, organization: Organization) -> Bool {
        switch MarketingKeywords.normalized(text) {
        case "STOPPEN", "AFMELDEN", "AANMELDEN": return true
        case "UNSUBSCRIBE", "SUBSCRIBE": return false
        default: return ["NL", "BE", "SR"].contains(organization.defaultCountry.uppercased())
        }
    }

    static func confirmation(_ meaning: MarketingKeywords.Meaning, organization: String, keywords: MarketingKeywords, dutch: Bool) -> String {
        let start = keywords.optIn.first ?? "START", stop = keywords.optOut.first ?? "STOP"
        switch (meaning, dutch) {
        case (.optOut, false):
            return "You will no longer receive marketing messages from \(organization). Send \(start) to receive them again."
        case (.optOut, true):
            return "Je ontvangt geen marketingberichten meer van \(organization). Stuur \(start) om ze weer te ontvangen."
        case (.optIn, false):
            return "You will receive marketing messages from \(organization) again. Send \(stop) to stop them."
        case (.optIn, true):
            return "Je ontvangt weer marketingberichten van \(organization). Stuur \(stop) om ze te stoppen."
        }
    }
}
