import Fluent
import Foundation

/// One WhatsApp message in a conversation, in either direction.
final class Message: Model, TenantOwned, @unchecked Sendable {
    static let schema = "messages"
    static var organizationIDKey: KeyPath<Message, FieldProperty<Message, UUID>> { \.$organizationID }

    enum Direction: String, Codable, Sendable { case inbound, outbound }

    /// Inbound messages are `received`. Outbound ones move forward only:
    /// `queued` → `sending` → `sent` → `delivered` → `read` → `played`, or end `failed`.
    /// `unknown` means the process stopped during the call to Meta: the status webhooks will tell.
    enum Status: String, Codable, Sendable, CaseIterable {
        case received, queued, sending, unknown, sent, delivered, read, played, failed
    }

    enum MediaState: String, Codable, Sendable { case pending, stored, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Parent(key: "conversation_id") var conversation: Conversation
    @Field(key: "connection_id") var connectionID: UUID
    @Enum(key: "direction") var direction: Direction
    @OptionalField(key: "wamid") var wamid: String?
    /// WhatsApp's message type (`text`, `image`, `reaction`, …), or `unsupported`.
    @Field(key: "kind") var kind: String
    /// The text a person reads: the body, a caption, a summary of a location or contact card.
    @OptionalField(key: "body") var body: String?
    /// The structured content as JSON (`MessageContent`).
    @Field(key: "content") var content: String
    /// The message exactly as Meta sent it (inbound) or as we sent it (outbound).
    @OptionalField(key: "raw") var raw: String?
    @Enum(key: "status") var status: Status
    @Field(key: "status_at") var statusAt: Date
    @OptionalField(key: "error_code") var errorCode: Int?
    @OptionalField(key: "error_title") var errorTitle: String?
    @OptionalField(key: "reply_to_wamid") var replyToWamid: String?
    @Field(key: "forwarded") var forwarded: Bool
    @OptionalField(key: "media_id") var mediaID: String?
    @OptionalField(key: "media_mime_type") var mediaMimeType: String?
    @OptionalField(key: "media_sha256") var mediaSHA256: String?
    @OptionalField(key: "media_filename") var mediaFilename: String?
    @OptionalField(key: "media_size") var mediaSize: Int64?
    @OptionalField(key: "media_object_key") var mediaObjectKey: String?
    @OptionalField(key: "media_state") var mediaState: MediaState?
    @OptionalField(key: "sender_user_id") var senderUserID: UUID?
    /// How the customer sounds (`Sentiment`), for inbound text the AI classified.
    @OptionalField(key: "sentiment") var sentiment: String?
    /// True for an automatic answer the AI wrote and sent (`AnswerAutomatically`); nil otherwise.
    @OptionalField(key: "auto_answer") var autoAnswer: Bool?
    /// WhatsApp's timestamp for inbound messages; the moment of sending for outbound ones.
    @Field(key: "sent_at") var sentAt: Date
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
