import Fluent
import Foundation

/// The thread between one contact and one of the organization's numbers.
final class Conversation: Model, TenantOwned, @unchecked Sendable {
    static let schema = "conversations"
    static var organizationIDKey: KeyPath<Conversation, FieldProperty<Conversation, UUID>> { \.$organizationID }

    enum Status: String, Codable, Sendable { case open, resolved }

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
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
