import ADSappCore
import Fluent
import Foundation
import SQLKit

/// What the sessions behind open live tabs may see now, read for every tab of the process in one
/// query (per 500 sessions; tabs of one session share a row): at 2,000 tabs a check costs one or
/// a few index lookups, not one per tab.
enum LiveAccess {
    /// The session rules of `SessionStore.resolve`: a tab's session ends when its next page view would.
    struct SessionLifetime: Sendable {
        var idle: TimeInterval
        var absolute: TimeInterval
        var now: @Sendable () -> Date

        static let unlimited = SessionLifetime(idle: .infinity, absolute: .infinity, now: { Date() })

        init(idle: TimeInterval, absolute: TimeInterval, now: @escaping @Sendable () -> Date) {
            (self.idle, self.absolute, self.now) = (idle, absolute, now)
        }

        init(_ configuration: AppConfiguration, now: @escaping @Sendable () -> Date) {
            self.init(idle: configuration.sessionIdleTimeout, absolute: configuration.sessionAbsoluteTimeout, now: now)
        }
    }

    /// A live session's organization and the member it is there.
    struct Current: Sendable, Equatable {
        var organizationID: UUID
        var membershipID: UUID
        var role: Role
        var agentsSeeAll: Bool
        var teams: Set<UUID>

        /// The inbox a tab of this session opened in `organizationID` may follow, or `nil` when it may not follow it at all.
        func access(in organizationID: UUID, membershipID: UUID) -> InboxAccess? {
            guard organizationID == self.organizationID, membershipID == self.membershipID, role.can(.viewConversations) else { return nil }
            return InboxAccess(membershipID: membershipID, role: role, agentsSeeAll: agentsSeeAll, teams: teams)
        }
    }

    /// The sessions among `ids` that are still signed in and working in an organization they are a
    /// member of; a session that ended, expired, left or was moved out of its organization is missing,
    /// and so is one whose organization requires two-factor sign-in the person has not turned on
    /// (as `RequireTenant` would send their next page view to enrolment).
    static func current(sessions ids: Set<UUID>, lifetime: SessionLifetime, on database: any Database) async throws -> [UUID: Current] {
        let sql = database.sql
        let now = lifetime.now()
        var found: [UUID: Current] = [:]
        for chunk in ids.sorted().chunks(of: 500) {
            let rows = try await sql.raw(
                """
                SELECT s.id AS session_id, s.created_at, s.last_seen_at, m.organization_id, m.id AS membership_id, m.role,
                       o.agents_see_all, t.team_id
                FROM user_sessions s
                JOIN memberships m ON m.user_id = s.user_id AND m.organization_id = s.organization_id
                JOIN organizations o ON o.id = m.organization_id
                LEFT JOIN team_members t ON t.membership_id = m.id
                WHERE s.id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                  AND (o.two_factor_required_at IS NULL OR EXISTS (
                      SELECT 1 FROM two_factor_credentials c WHERE c.user_id = s.user_id AND c.enabled_at IS NOT NULL))
                """
            ).all()
            for row in rows {
                let sessionID = try row.decode(column: "session_id", as: UUID.self)
                let createdAt = try row.decode(column: "created_at", as: Date.self)
                let lastSeenAt = try row.decode(column: "last_seen_at", as: Date.self)
                guard now.timeIntervalSince(lastSeenAt) <= lifetime.idle, now.timeIntervalSince(createdAt) <= lifetime.absolute,
                    let role = Role(rawValue: try row.decode(column: "role", as: String.self))
                else { continue }
                let team = try row.decode(column: "team_id", as: UUID?.self)
                if found[sessionID] == nil {
                    found[sessionID] = Current(
                        organizationID: try row.decode(column: "organization_id", as: UUID.self),
                        membershipID: try row.decode(column: "membership_id", as: UUID.self),
                        role: role,
                        agentsSeeAll: try row.decode(column: "agents_see_all", as: Bool.self),
                        teams: []
                    )
                }
                if let team { found[sessionID]!.teams.insert(team) }
            }
        }
        return found
    }
}
