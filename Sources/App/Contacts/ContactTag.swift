import Fluent
import Foundation

/// A tag on a contact. Contacts share the organization's tags (`Tag`) with conversations.
final class ContactTag: Model, TenantOwned, @unchecked Sendable {
    static let schema = "contact_tags"
    static var organizationIDKey: KeyPath<ContactTag, FieldProperty<ContactTag, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "tag_id") var tagID: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(organizationID: UUID, contactID: UUID, tagID: UUID, createdAt: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.contactID = contactID
        self.tagID = tagID
        self.createdAt = createdAt
    }
}

/// A private note about a contact, for the team (the contact page's notes; conversation notes are `Note`).
final class ContactNote: Model, TenantOwned, @unchecked Sendable {
    static let schema = "contact_notes"
    static var organizationIDKey: KeyPath<ContactNote, FieldProperty<ContactNote, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @OptionalField(key: "author_id") var authorID: UUID?
    /// Kept so the note still says who wrote it after they leave.
    @Field(key: "author_name") var authorName: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
