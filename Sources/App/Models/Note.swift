import Fluent
import Foundation

/// A private note in a conversation: for the team only, never sent to the customer.
final class Note: Model, TenantOwned, @unchecked Sendable {
    static let schema = "notes"
    static var organizationIDKey: KeyPath<Note, FieldProperty<Note, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Parent(key: "conversation_id") var conversation: Conversation
    @OptionalField(key: "author_id") var authorID: UUID?
    /// Kept so the note still says who wrote it after they leave.
    @Field(key: "author_name") var authorName: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A member named with `@` in a note: it shows up in their mentions until they have seen it.
final class Mention: Model, TenantOwned, @unchecked Sendable {
    static let schema = "mentions"
    static var organizationIDKey: KeyPath<Mention, FieldProperty<Mention, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Parent(key: "note_id") var note: Note
    @Parent(key: "conversation_id") var conversation: Conversation
    @Parent(key: "membership_id") var membership: Membership
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "seen_at") var seenAt: Date?

    init() {}
}
