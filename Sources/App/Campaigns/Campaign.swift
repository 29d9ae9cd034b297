import Fluent
import Foundation

/// A broadcast: one approved template, its parameters filled from each contact, sent once to every
/// contact of an audience through one of the organization's numbers.
final class Campaign: Model, TenantOwned, @unchecked Sendable {
    static let schema = "campaigns"
    static var organizationIDKey: KeyPath<Campaign, FieldProperty<Campaign, UUID>> { \.$organizationID }

    /// `draft` → `scheduled` → `sending` → `finished`; `sending` ⇄ `paused`; `cancelled` by a member
    /// before the end; `stopped` when WhatsApp refused the number or template (`stopReason` says why).
    enum Status: String, Codable, Sendable, CaseIterable {
        case draft, scheduled, sending, paused, finished, cancelled, stopped

        /// Nothing more will be sent.
        var isOver: Bool { self == .finished || self == .cancelled || self == .stopped }
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "name") var name: String
    @Field(key: "connection_id") var connectionID: UUID
    @Field(key: "template_name") var templateName: String
    @Field(key: "template_language") var templateLanguage: String
    /// MARKETING, UTILITY or AUTHENTICATION, as the template was when the campaign was saved.
    @Field(key: "template_category") var templateCategory: String
    /// The `CampaignMessage` as JSON: where each template parameter comes from.
    @Field(key: "message") var messageJSON: String
    /// The `CampaignAudience` as JSON.
    @Field(key: "audience") var audienceJSON: String
    @Enum(key: "status") var status: Status
    @OptionalField(key: "stop_reason") var stopReason: String?
    @OptionalField(key: "send_at") var sendAt: Date?
    /// Why a sending campaign is waiting (the messaging limit), for the people watching it.
    @OptionalField(key: "waiting_reason") var waitingReason: String?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    var message: CampaignMessage {
        get { (try? JSONDecoder().decode(CampaignMessage.self, from: Data(messageJSON.utf8))) ?? CampaignMessage() }
        set { messageJSON = Self.json(newValue) }
    }

    /// An unreadable audience (never written by this app) selects nobody rather than everyone.
    var audience: CampaignAudience {
        get { (try? JSONDecoder().decode(CampaignAudience.self, from: Data(audienceJSON.utf8))) ?? CampaignAudience() }
        set { audienceJSON = Self.json(newValue) }
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// One contact of a campaign's audience, taken when the campaign starts. The row is what makes a
/// send happen at most once: it moves `pending` → `sending` in a conditional update before the call
/// to Meta, and only forward from there.
final class CampaignRecipient: Model, TenantOwned, @unchecked Sendable {
    static let schema = "campaign_recipients"
    static var organizationIDKey: KeyPath<CampaignRecipient, FieldProperty<CampaignRecipient, UUID>> { \.$organizationID }

    enum Status: String, Codable, Sendable, CaseIterable {
        /// Waiting for its turn.
        case pending
        /// Claimed: the call to Meta is under way (or the process stopped during it).
        case sending
        /// The process stopped during the call: Meta's status callbacks, or the reconciliation, will tell.
        case unknown
        case sent, delivered, read, failed
        /// Not sent, for `reason` (opted out, no number, a parameter without a value).
        case skipped

        /// Whether a status callback moves a recipient here: only forward (`DeliveryProgress`), and
        /// never a recipient that was skipped or failed before the call.
        func advances(to next: Status) -> Bool {
            guard self != .skipped, let next = next.messageStatus else { return false }
            return DeliveryProgress.advances(from: messageStatus ?? .queued, to: next)
        }

        var messageStatus: Message.Status? {
            switch self {
            case .sent: .sent
            case .delivered: .delivered
            case .read: .read
            case .failed: .failed
            case .pending, .sending, .unknown, .skipped: nil
            }
        }
    }

    /// Why a contact was skipped; the raw value is stored and shown in the export.
    enum SkipReason: String, Codable, Sendable, CaseIterable, Error {
        case optedOut = "opted_out"
        /// A MARKETING template to a contact who never opted in.
        case noConsent = "no_consent"
        case noNumber = "no_number"
        /// A parameter had no value for this contact and no fallback.
        case missingValue = "missing_value"
        /// The contact was erased (on their request) before their turn.
        case erased
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "campaign_id") var campaignID: UUID
    @Field(key: "contact_id") var contactID: UUID
    /// The order of sending.
    @Field(key: "position") var position: Int
    @OptionalField(key: "wa_id") var waID: String?
    /// The template with this contact's values (`OutboundDraft.TemplateDraft` as JSON), as previewed.
    @OptionalField(key: "draft") var draftJSON: String?
    @Enum(key: "status") var status: Status
    /// A `SkipReason`, or Meta's words for a failure.
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "error_code") var errorCode: Int?
    /// Calls to Meta that were refused before sending (throughput, pair rate) and retried.
    @Field(key: "attempts") var attempts: Int
    /// Not before this moment (after a pair-rate refusal).
    @OptionalField(key: "not_before") var notBefore: Date?
    @OptionalField(key: "wamid") var wamid: String?
    @OptionalField(key: "claimed_at") var claimedAt: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "status_at") var statusAt: Date?
    /// When a status callback from Meta last named this message: proof that callbacks were arriving.
    @OptionalField(key: "confirmed_at") var confirmedAt: Date?

    init() {}
}
