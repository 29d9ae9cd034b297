import Fluent
import Foundation

/// A person who can sign in. Belongs to organizations through memberships.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    /// The language the person chose; `nil` = follow the browser.
    @OptionalField(key: "language") var language: String?
    /// Operator of the whole platform, not of one organization.
    @Field(key: "is_platform_admin") var isPlatformAdmin: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "password_changed_at") var passwordChangedAt: Date
    /// When the person proved they read this address; `nil` until then (`EmailVerification`).
    @OptionalField(key: "email_verified_at") var emailVerifiedAt: Date?

    init() {}

    init(id: UUID = UUID(), email: String, name: String, passwordHash: String, language: String?, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.language = language
        self.isPlatformAdmin = false
        self.createdAt = createdAt
        self.passwordChangedAt = createdAt
    }
}

/// Every signed-in request reads this model (`ModelRows`).
extension User: ListsDatabaseFields {
    var databaseFields: [any AnyDatabaseProperty] {
        [$id, $email, $name, $passwordHash, $language, $isPlatformAdmin, $createdAt, $passwordChangedAt, $emailVerifiedAt]
    }
}
