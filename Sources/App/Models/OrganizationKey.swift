import Fluent
import Foundation

/// An organization's data key, wrapped by the key provider. Only `CredentialVault` reads it.
final class OrganizationKey: Model, @unchecked Sendable {
    static let schema = "organization_keys"

    @ID(custom: "organization_id", generatedBy: .user) var id: UUID?
    @Field(key: "provider") var provider: String
    @Field(key: "wrapped_key") var wrappedKey: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(organizationID: UUID, provider: String, wrappedKey: Data, createdAt: Date) {
        self.id = organizationID
        self.provider = provider
        self.wrappedKey = wrappedKey
        self.createdAt = createdAt
    }
}
