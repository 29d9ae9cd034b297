import Fluent
import Foundation

/// The thread between one contact and one of the organization's numbers.
final class Conversation: Model, TenantOwned, @unchecked Sendable {
    static let schema = "conversations"
    static var organizationIDKey: KeyPath<Conversation, FieldProperty<Conversation, UUID>> { \.$organizationID }

    /// `open`: someone should answer. `pending`: waiting for the customer or a colleague.
    /// `snoozed`: out of sight until `snoozedUntil` or the customer's next message. `resolved`: done
    /// until the customer writes again.
    enum Status: String, Codable, Sendable, CaseIterable { case open, pending, snoozed, resolved }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Parent(key: "connection_id") var connection: WhatsAppConnection
    @Parent(key: "contact_id") var contact: Contact
    @Enum(key: "status") var status: Status
    @Field(key: "last_message_at") var lastMessageAt: Date
    @OptionalField(key: "last_message_preview") var lastMessagePreview: String?
    /// When the customer last wrote: the 24-hour customer-service window runs from here.
    @OptionalField(key: "last_inbound_at") var lastInboundAt: Date?
    @Field(key: "unread_count") var unreadCount: Int
    @OptionalParent(key: "assignee_id") var assignee: Membership?
    @OptionalParent(key: "team_id") var team: Team?
    @OptionalField(key: "snoozed_until") var snoozedUntil: Date?
    /// Since when the customer has waited for an answer (their oldest unanswered message): the SLA age.
    @OptionalField(key: "waiting_since") var waitingSince: Date?
    /// The sentiment of the customer's latest classified message (`Sentiment`).
    @OptionalField(key: "sentiment") var sentiment: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
