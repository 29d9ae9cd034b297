import Fluent
import Foundation

/// A signed-in browser. Stored in the database so that any app process can serve any user.
///
/// The cookie holds a random token; only its SHA-256 is stored, so a copy of the table signs no one in.
final class UserSession: Model, @unchecked Sendable {
    static let schema = "user_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") var user: User
    /// The organization the user is working in; `nil` when they belong to none.
    @OptionalField(key: "organization_id") var organizationID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @OptionalField(key: "user_agent") var userAgent: String?

    init() {}

    init(id: UUID = UUID(), tokenHash: String, userID: UUID, organizationID: UUID?, createdAt: Date, userAgent: String?) {
        self.id = id
        self.tokenHash = tokenHash
        self.$user.id = userID
        self.organizationID = organizationID
        self.createdAt = createdAt
        self.lastSeenAt = createdAt
        self.userAgent = userAgent
    }
}

/// Every signed-in request reads this model (`ModelRows`).
extension UserSession: ListsDatabaseFields {
    var databaseFields: [any AnyDatabaseProperty] { [$id, $tokenHash, $user, $organizationID, $createdAt, $lastSeenAt, $userAgent] }
}
