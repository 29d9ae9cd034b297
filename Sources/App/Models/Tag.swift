import Fluent
import Foundation

/// A label an organization puts on conversations ("refund", "VIP").
final class Tag: Model, TenantOwned, @unchecked Sendable {
    static let schema = "tags"
    static var organizationIDKey: KeyPath<Tag, FieldProperty<Tag, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), organizationID: UUID, name: String, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.createdAt = createdAt
    }
}

/// A tag on a conversation.
final class ConversationTag: Model, TenantOwned, @unchecked Sendable {
    static let schema = "conversation_tags"
    static var organizationIDKey: KeyPath<ConversationTag, FieldProperty<ConversationTag, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Parent(key: "conversation_id") var conversation: Conversation
    @Parent(key: "tag_id") var tag: Tag

    init() {}
}
