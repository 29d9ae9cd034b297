import ADSappCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Which conversations a member may see: everything, or (for agents, when the organization says
/// so) the conversations of their teams and those assigned to them.
struct InboxAccess: Sendable, Equatable {
    let membershipID: UUID
    /// `nil`: every conversation of the organization.
    let teams: Set<UUID>?

    init(membershipID: UUID, teams: Set<UUID>?) {
        self.membershipID = membershipID
        self.teams = teams
    }

    /// The rule: agents see only their teams' conversations (and their own) when the organization
    /// says so; everyone else sees all.
    init(membershipID: UUID, role: Role, agentsSeeAll: Bool, teams: Set<UUID>) {
        self.init(membershipID: membershipID, teams: Self.isLimited(role: role, agentsSeeAll: agentsSeeAll) ? teams : nil)
    }

    static func isLimited(role: Role, agentsSeeAll: Bool) -> Bool { role == .agent && !agentsSeeAll }

    static func of(_ tenant: Tenant) async throws -> InboxAccess {
        try await of(membershipID: tenant.membership.requireID(), role: tenant.role, agentsSeeAll: tenant.organization.agentsSeeAll, in: tenant.scope)
    }

    /// A member's access outside a request (a notification job); the teams are read only when they limit it.
    static func of(membershipID: UUID, role: Role, agentsSeeAll: Bool, in scope: TenantScope) async throws -> InboxAccess {
        guard isLimited(role: role, agentsSeeAll: agentsSeeAll) else { return InboxAccess(membershipID: membershipID, teams: nil) }
        let teams = try await scope.query(TeamMember.self).filter(\.$membership.$id == membershipID).all().map(\.$team.id)
        return InboxAccess(membershipID: membershipID, teams: Set(teams))
    }

    /// Limits a query of conversations to the visible ones.
    func limit(_ query: QueryBuilder<Conversation>) -> QueryBuilder<Conversation> {
        guard let teams else { return query }
        return query.group(.or) { either in
            either.filter(\.$assignee.$id == membershipID)
            if !teams.isEmpty { either.filter(\.$team.$id ~~ Array(teams)) }
        }
    }

    /// The same limit as a condition on the conversation aliased `v` of a plain SQL query; `nil`
    /// when every conversation is visible.
    var visibleConversations: SQLQueryString? {
        guard let teams else { return nil }
        guard !teams.isEmpty else { return "v.assignee_id = \(bind: membershipID)" }
        return "(v.assignee_id = \(bind: membershipID) OR v.team_id IN \(SQLGroupExpression(teams.map { SQLBind($0) })))"
    }

    func maySee(_ conversation: Conversation) -> Bool {
        maySee(assigneeID: conversation.$assignee.id, teamID: conversation.$team.id)
    }

    /// Whether a conversation with this assignee and team is visible.
    func maySee(assigneeID: UUID?, teamID: UUID?) -> Bool {
        guard let teams else { return true }
        return assigneeID == membershipID || teamID.map(teams.contains) == true
    }

    /// An event for one member is theirs alone; one about a conversation follows the conversation
    /// (its team and assignee when it happened); access changes are for the server alone.
    func maySee(_ event: InboxEvent) -> Bool {
        guard event.kind != .access else { return false }
        if let recipient = event.recipientID { return recipient == membershipID }
        guard event.conversationID != nil else { return true }
        return maySee(assigneeID: event.assigneeID, teamID: event.teamID)
    }
}

extension Tenant {
    /// The conversation a path parameter names, if this member may see it; 404 otherwise.
    func visibleConversation(_ request: Request, access: InboxAccess) async throws -> Conversation {
        let conversation = try await find(Conversation.self, parameter: SiteURL.conversationID, of: request)
        guard access.maySee(conversation) else { throw Abort(.notFound) }
        return conversation
    }
}
