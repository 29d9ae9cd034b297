import Fluent
import Foundation

/// A customer who wrote to (or was written to by) one of the organization's numbers.
final class Contact: Model, TenantOwned, @unchecked Sendable {
    static let schema = "contacts"
    static var organizationIDKey: KeyPath<Contact, FieldProperty<Contact, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    /// The WhatsApp id (the phone number without `+`). Meta may one day send contacts without one.
    @OptionalField(key: "wa_id") var waID: String?
    /// Meta's business-scoped user id, when it sends one.
    @OptionalField(key: "user_id") var userID: String?
    @OptionalField(key: "profile_name") var profileName: String?
    /// The name the business gave the contact; shown before the WhatsApp profile name.
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "email") var email: String?
    /// Marketing consent (`MarketingStatus`), what changed it last (`ConsentSource`) and when.
    @Field(key: "marketing_status") var marketingStatus: MarketingStatus
    @OptionalField(key: "marketing_source") var marketingSource: ConsentSource?
    @OptionalField(key: "marketing_changed_at") var marketingChangedAt: Date?
    /// The customer's last message to the business, and the connection (business number) it came to.
    @OptionalField(key: "last_inbound_at") var lastInboundAt: Date?
    @OptionalField(key: "last_inbound_connection_id") var lastInboundConnectionID: UUID?
    /// Set when the contact was erased on request: the row stays as an anonymous stub for the audit line.
    @OptionalField(key: "erased_at") var erasedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(id: UUID = UUID(), organizationID: UUID, waID: String?, profileName: String? = nil, name: String? = nil, now: Date) {
        self.id = id
        self.organizationID = organizationID
        self.waID = waID
        self.profileName = profileName
        self.name = name
        self.marketingStatus = .unknown
        self.createdAt = now
        self.updatedAt = now
    }

    /// The name agents know a customer by: the profile name, else the number, else Meta's user id.
    static func displayName(profileName: String?, waID: String?, userID: String?) -> String {
        profileName ?? waID.map { "+" + $0 } ?? userID ?? "?"
    }

    /// The business's own name for the contact first, then what WhatsApp tells us.
    var displayName: String { name ?? Self.displayName(profileName: profileName, waID: waID, userID: userID) }

    /// The phone number in E.164 (`+31612345678`), when the contact has one.
    var phoneNumber: String? { waID.map { "+" + $0 } }
}
