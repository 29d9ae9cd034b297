import Fluent
import Foundation

/// A ready answer agents insert by typing `/shortcut`; `{{name}}`-style variables are filled from the contact.
final class CannedResponse: Model, TenantOwned, @unchecked Sendable {
    static let schema = "canned_responses"
    static var organizationIDKey: KeyPath<CannedResponse, FieldProperty<CannedResponse, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "shortcut") var shortcut: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), organizationID: UUID, shortcut: String, body: String, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.shortcut = shortcut
        self.body = body
        self.createdAt = createdAt
    }
}
