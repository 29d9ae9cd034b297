import Fluent
import Foundation

/// A message template of one of the organization's WhatsApp Business Accounts, as Meta last reported it.
final class MessageTemplate: Model, TenantOwned, @unchecked Sendable {
    static let schema = "message_templates"
    static var organizationIDKey: KeyPath<MessageTemplate, FieldProperty<MessageTemplate, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "business_account_id") var businessAccountID: String
    @OptionalField(key: "meta_id") var metaID: String?
    @Field(key: "name") var name: String
    @Field(key: "language") var language: String
    @Field(key: "category") var category: String
    /// APPROVED, PENDING, REJECTED, PAUSED, DISABLED, or whatever Meta says next. Only APPROVED can be sent.
    @Field(key: "status") var status: String
    @OptionalField(key: "quality") var quality: String?
    @OptionalField(key: "rejected_reason") var rejectedReason: String?
    /// The components as Meta returns them (JSON).
    @Field(key: "components") var components: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// A template row not stored yet; the caller fills in what Meta says of it.
    init(organizationID: UUID, businessAccountID: String, name: String, language: String) {
        self.id = UUID()
        self.organizationID = organizationID
        self.businessAccountID = businessAccountID
        self.name = name
        self.language = language
    }
}
