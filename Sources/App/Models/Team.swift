import Fluent
import Foundation

/// A group of members who handle the same conversations (a number's customers, a language, a topic).
final class Team: Model, TenantOwned, @unchecked Sendable {
    static let schema = "teams"
    static var organizationIDKey: KeyPath<Team, FieldProperty<Team, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "name") var name: String
    /// Whether new and reopened conversations of this team go to its available members in turn.
    @Field(key: "auto_assign") var autoAssign: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), organizationID: UUID, name: String, autoAssign: Bool, createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.autoAssign = autoAssign
        self.createdAt = createdAt
    }
}

/// A member's place in a team.
final class TeamMember: Model, TenantOwned, @unchecked Sendable {
    static let schema = "team_members"
    static var organizationIDKey: KeyPath<TeamMember, FieldProperty<TeamMember, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Parent(key: "team_id") var team: Team
    @Parent(key: "membership_id") var membership: Membership

    init() {}

    init(id: UUID = UUID(), organizationID: UUID, teamID: UUID, membershipID: UUID) {
        self.id = id
        self.organizationID = organizationID
        self.$team.id = teamID
        self.$membership.id = membershipID
    }
}
