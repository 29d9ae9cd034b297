import Fluent
import Foundation

/// A tenant: one business with its members, numbers, contacts and conversations.
final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    /// Whether agents see every conversation, or only those of their teams and those assigned to them.
    @Field(key: "agents_see_all") var agentsSeeAll: Bool
    /// Since when everyone must sign in with two factors (`TwoFactorController.saveSecurity`); `nil`: not required.
    @OptionalField(key: "two_factor_required_at") var twoFactorRequiredAt: Date?

    init() {}

    init(id: UUID = UUID(), name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.agentsSeeAll = true
    }
}
