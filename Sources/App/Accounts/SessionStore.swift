import Crypto
import Fluent
import Foundation
import SQLKit

/// A live session with its person and the organizations they work in, by organization name.
struct ResolvedSession: Sendable {
    let session: UserSession
    let user: User
    let memberships: [OrganizationMembership]
}

/// One organization a person works in, with their membership.
struct OrganizationMembership: Sendable {
    let membership: Membership
    let organization: Organization
    /// Its WhatsApp numbers Meta disconnected (`ConnectionHealth`): admins see a notice on every page.
    let brokenConnections: Int
}

/// Creates, finds and ends the server-side sessions behind the session cookie.
struct SessionStore: Sendable {
    let database: any Database
    let context: AppContext

    /// The session of a token's hash, its person and their memberships: every signed-in request reads
    /// it, so it is hand-written SQL (`ModelRows`, not Fluent's query builder) and prepared
    /// (docs/benchmarks.md, section gains). One row per membership (one with NULL membership columns
    /// for a person in no organization); each counts its organization's disconnected numbers, so the
    /// notice on every page asks for details only when there are some. The state is written into the
    /// text, not bound: with every value the planner needs in the text, PostgreSQL soon keeps one
    /// plan for the statement instead of planning it again on every run (a third of a millisecond).
    private struct SessionRows: PlannedOnceQuery {
        static let sessions = ModelRows(UserSession.self, alias: "s")
        static let users = ModelRows(User.self, alias: "u")
        static let memberships = ModelRows(Membership.self, alias: "m")
        static let organizations = ModelRows(Organization.self, alias: "o")
        static let sql = """
            SELECT \(sessions.columns), \(users.columns), \(memberships.columns), \(organizations.columns),
                   (SELECT COUNT(*) FROM whatsapp_connections w WHERE w.organization_id = o.id AND w.state = '\(WhatsAppConnection.State.broken.rawValue)') AS broken_connections
            FROM user_sessions s JOIN users u ON u.id = s.user_id
            LEFT JOIN memberships m ON m.user_id = u.id
            LEFT JOIN organizations o ON o.id = m.organization_id
            WHERE s.token_hash = $1
            ORDER BY o.name, o.id
            """

        let tokenHash: String
        var parameters: [String] { [tokenHash] }
    }

    private var now: Date { context.dependencies.now() }
    private var configuration: AppConfiguration { context.configuration }

    /// Starts a new session (a new random id on every sign-in, against session fixation) and returns its token.
    func start(userID: UUID, organizationID: UUID?, userAgent: String?) async throws -> (token: String, session: UserSession) {
        let token = context.dependencies.randomToken(bytes: 32)
        let session = UserSession(
            tokenHash: sha256Hex(token),
            userID: userID,
            organizationID: organizationID,
            createdAt: now,
            userAgent: userAgent.map { String($0.prefix(255)) }
        )
        try await session.create(on: database)
        return (token, session)
    }

    /// The live session for a cookie token, with its person and every organization they work in,
    /// or `nil` when the token is unknown or past its idle or absolute timeout. Expired sessions are
    /// deleted when found.
    func resolve(token: String) async throws -> ResolvedSession? {
        guard !token.isEmpty, token.utf8.count <= 100 else { return nil }
        let rows = try await SessionRows(tokenHash: sha256Hex(token)).rows(on: database)
        guard let first = rows.first else { return nil }
        let session = try SessionRows.sessions.model(from: first), user = try SessionRows.users.model(from: first)
        let now = self.now
        let idle = now.timeIntervalSince(session.lastSeenAt)
        let age = now.timeIntervalSince(session.createdAt)
        if idle > configuration.sessionIdleTimeout || age > configuration.sessionAbsoluteTimeout {
            try await session.delete(on: database)
            return nil
        }
        // Touch at most once a minute: one write per page view would be wasteful.
        if idle > 60 {
            session.lastSeenAt = now
            try await session.update(on: database)
        }
        let memberships = try rows.filter { try !$0.decodeNil(column: "m_id") }.map { row in
            OrganizationMembership(
                membership: try SessionRows.memberships.model(from: row), organization: try SessionRows.organizations.model(from: row),
                brokenConnections: try row.decode(column: "broken_connections", as: Int.self))
        }
        return ResolvedSession(session: session, user: user, memberships: memberships)
    }

    /// The CSRF token of the session with this cookie token. Derived, never stored, so it cannot
    /// leak from the database or its query logs; without the cookie token it cannot be computed.
    static func csrfToken(forSessionToken token: String) -> String {
        Data(SHA256.hash(data: Data(("adsapp-csrf:" + token).utf8))).base64URLEncoded()
    }

    func end(_ session: UserSession) async throws {
        try await session.delete(on: database)
    }

    /// Ends every session of a user, except the one given (the browser asking for it), and forgets
    /// their remembered devices and pending two-factor sign-ins (a password change or reset, "sign out everywhere").
    func endAll(userID: UUID, except kept: UUID? = nil) async throws {
        try await TwoFactorAccount.forgetDevices(userID: userID, on: database)
        var query = UserSession.query(on: database).filter(\.$user.$id == userID)
        if let kept { query = query.filter(\.$id != kept) }
        try await query.delete()
    }

    /// Moves every session of a user that works in `organizationID` out of it: used when the member is removed.
    func detach(userID: UUID, from organizationID: UUID) async throws {
        try await UserSession.query(on: database)
            .filter(\.$user.$id == userID)
            .filter(\.$organizationID == organizationID)
            .set(\.$organizationID, to: nil)
            .update()
    }

    func count(userID: UUID) async throws -> Int {
        try await UserSession.query(on: database).filter(\.$user.$id == userID).count()
    }
}
