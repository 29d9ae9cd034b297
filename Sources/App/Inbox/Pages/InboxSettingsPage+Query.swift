import ADSappCore
import Fluent
import Vapor

extension InboxSettingsPage {
    /// The organization's inbox settings: visibility, teams with their members, answering members'
    /// capacity, tags and canned responses.
    static func query(_ tenant: Tenant, notice: String?, error: String?) async throws -> Model {
        let scope = tenant.scope
        let members = try await scope.query(Membership.self).with(\.$user).all()
            .filter { $0.role.can(.replyToConversations) }.sorted { $0.user.name < $1.user.name }
        let teamMembers = try await scope.query(TeamMember.self).all()
        return Model(
            canManage: tenant.role.can(.manageInbox),
            agentsSeeAll: tenant.organization.agentsSeeAll,
            teams: try await scope.query(Team.self).sort(\.$name).all().map { team in
                .init(
                    id: team.id!, name: team.name, autoAssign: team.autoAssign,
                    members: Set(teamMembers.filter { $0.$team.id == team.id }.map(\.$membership.id)))
            },
            members: members.map { .init(id: $0.id!, name: $0.user.name, capacity: $0.capacity, available: $0.available) },
            tags: try await scope.query(Tag.self).sort(\.$name).all().map { Choice(value: $0.id!.uuidString, label: $0.name) },
            cannedResponses: try await scope.query(CannedResponse.self).sort(\.$shortcut).all().map { .init(id: $0.id!, shortcut: $0.shortcut, body: $0.body) },
            notice: notice,
            error: error
        )
    }
}
