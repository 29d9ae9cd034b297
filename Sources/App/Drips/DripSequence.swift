import Fluent
import Foundation

/// A drip sequence: messages sent one after another to each enrolled contact, each step a delay after
/// the one before, only inside the send window. Contacts are enrolled from a segment or a tag when the
/// sequence is activated, and (optionally) whenever the tag is added later; they leave on a reply, an
/// opt-out or an exit tag.
final class DripSequence: Model, TenantOwned, @unchecked Sendable {
    static let schema = "drip_sequences"
    static var organizationIDKey: KeyPath<DripSequence, FieldProperty<DripSequence, UUID>> { \.$organizationID }

    /// `draft` → `active` ⇄ `paused`. Steps change only in `draft`.
    enum Status: String, Codable, Sendable, CaseIterable {
        case draft, active, paused
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "name") var name: String
    @Field(key: "connection_id") var connectionID: UUID
    @Enum(key: "status") var status: Status
    @OptionalField(key: "enrol_segment_id") var enrolSegmentID: UUID?
    @OptionalField(key: "enrol_tag_id") var enrolTagID: UUID?
    /// Also enrol each contact that gets `enrolTagID` while the sequence is active.
    @Field(key: "enrol_on_tag_added") var enrolOnTagAdded: Bool
    @Field(key: "exit_on_reply") var exitOnReply: Bool
    @OptionalField(key: "exit_tag_id") var exitTagID: UUID?
    /// `DripSendWindow.days` as a bit mask, Monday = 1.
    @Field(key: "window_days") var windowDays: Int
    @OptionalField(key: "window_start_minute") var windowStartMinute: Int?
    @OptionalField(key: "window_end_minute") var windowEndMinute: Int?
    /// Tags added up to this time have been looked at for enrolment.
    @OptionalField(key: "tags_seen_until") var tagsSeenUntil: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "activated_at") var activatedAt: Date?

    init() {}

    var window: DripSendWindow {
        get { DripSendWindow(days: .init(rawValue: windowDays), startMinute: windowStartMinute, endMinute: windowEndMinute) }
        set {
            windowDays = newValue.days.rawValue
            windowStartMinute = newValue.startMinute
            windowEndMinute = newValue.endMinute
        }
    }
}

/// One message of a sequence: an approved template with its parameters taken from the contact, or
/// free text (sent only while the customer's 24-hour window is open).
final class DripStep: Model, TenantOwned, @unchecked Sendable {
    static let schema = "drip_steps"
    static var organizationIDKey: KeyPath<DripStep, FieldProperty<DripStep, UUID>> { \.$organizationID }

    enum Kind: String, Codable, Sendable, CaseIterable { case template, text }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "sequence_id") var sequenceID: UUID
    /// 1, 2, 3… in sending order.
    @Field(key: "position") var position: Int
    /// After the enrolment (step 1) or the step before.
    @Field(key: "delay_minutes") var delayMinutes: Int
    @Enum(key: "kind") var kind: Kind
    @OptionalField(key: "template_name") var templateName: String?
    @OptionalField(key: "template_language") var templateLanguage: String?
    @OptionalField(key: "template_category") var templateCategory: String?
    /// The `CampaignMessage` as JSON: where each template parameter comes from.
    @OptionalField(key: "message") var messageJSON: String?
    @OptionalField(key: "text") var text: String?

    init() {}

    var message: CampaignMessage {
        get { messageJSON.flatMap { try? JSONDecoder().decode(CampaignMessage.self, from: Data($0.utf8)) } ?? CampaignMessage() }
        set { messageJSON = Campaign.json(newValue) }
    }
}

/// A contact in a sequence: which step is next and when. One per sequence and contact: a contact
/// who finished or left is not enrolled again.
final class DripEnrolment: Model, TenantOwned, @unchecked Sendable {
    static let schema = "drip_enrolments"
    static var organizationIDKey: KeyPath<DripEnrolment, FieldProperty<DripEnrolment, UUID>> { \.$organizationID }

    enum Status: String, Codable, Sendable, CaseIterable { case active, completed, exited }

    /// Why a contact left before the last step.
    enum ExitReason: String, Codable, Sendable, CaseIterable {
        case replied, optedOut = "opted_out", exitTag = "exit_tag", erased, removed
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "sequence_id") var sequenceID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Enum(key: "status") var status: Status
    @OptionalEnum(key: "exit_reason") var exitReason: ExitReason?
    @Field(key: "next_position") var nextPosition: Int
    @Field(key: "next_at") var nextAt: Date
    @Field(key: "enrolled_at") var enrolledAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}
}

/// A step's message to one enrolled contact, recorded in the same transaction as the message and its
/// send job: the unique (enrolment, step) makes each step reach each contact at most once. A step that
/// could not be sent (no consent, the window closed, a parameter without a value) is recorded with
/// `skipReason` instead.
final class DripDelivery: Model, TenantOwned, @unchecked Sendable {
    static let schema = "drip_deliveries"
    static var organizationIDKey: KeyPath<DripDelivery, FieldProperty<DripDelivery, UUID>> { \.$organizationID }

    enum SkipReason: String, Codable, Sendable, CaseIterable, Error {
        case noConsent = "no_consent", noNumber = "no_number", missingValue = "missing_value", windowClosed = "window_closed"
        case templateUnavailable = "template_unavailable"
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "enrolment_id") var enrolmentID: UUID
    @Field(key: "sequence_id") var sequenceID: UUID
    @Field(key: "step_id") var stepID: UUID
    @OptionalField(key: "message_id") var messageID: UUID?
    @OptionalEnum(key: "skip_reason") var skipReason: SkipReason?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
