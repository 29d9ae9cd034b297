import ADSappCore
import Fluent
import Foundation

/// A user's place in one organization, with their role there.
final class Membership: Model, TenantOwned, @unchecked Sendable {
    static let schema = "memberships"
    static var organizationIDKey: KeyPath<Membership, FieldProperty<Membership, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Parent(key: "user_id") var user: User
    @Enum(key: "role") var role: Role
    @Field(key: "created_at") var createdAt: Date
    /// Whether automatic assignment may give this member new conversations.
    @Field(key: "available") var available: Bool
    /// The most open conversations automatic assignment gives this member at once.
    @Field(key: "capacity") var capacity: Int
    @OptionalField(key: "last_assigned_at") var lastAssignedAt: Date?

    static let defaultCapacity = 10

    init() {}

    init(id: UUID = UUID(), organizationID: UUID, userID: UUID, role: Role, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.$user.id = userID
        self.role = role
        self.createdAt = createdAt
        self.available = true
        self.capacity = Self.defaultCapacity
    }
}

/// Every signed-in request reads this model (`ModelRows`).
extension Membership: ListsDatabaseFields {
    var databaseFields: [any AnyDatabaseProperty] { [$id, $organizationID, $user, $role, $createdAt, $available, $capacity, $lastAssignedAt] }
}
