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
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// The name agents know a customer by: the profile name, else the number, else Meta's user id.
    static func displayName(profileName: String?, waID: String?, userID: String?) -> String {
        profileName ?? waID.map { "+" + $0 } ?? userID ?? "?"
    }

    var displayName: String { Self.displayName(profileName: profileName, waID: waID, userID: userID) }
}
