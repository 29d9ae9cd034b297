import Crypto
import Fluent
import Foundation
import SQLKit

/// Creates, finds and ends the server-side sessions behind the session cookie.
struct SessionStore: Sendable {
    let database: any Database
    let context: AppContext

    // Every signed-in request reads its session and user: hand-written SQL, not Fluent's query builder.
    private static let sessions = ModelRows(UserSession.self, alias: "s")
    private static let users = ModelRows(User.self, alias: "u")

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

    /// The live session for a cookie token, or `nil` when it is unknown or past its idle or absolute timeout.
    /// Expired sessions are deleted when found.
    func resolve(token: String) async throws -> (session: UserSession, user: User)? {
        guard !token.isEmpty, token.utf8.count <= 100 else { return nil }
        guard
            let row = try await database.sql.raw(
                """
                SELECT \(unsafeRaw: Self.sessions.columns), \(unsafeRaw: Self.users.columns)
                FROM user_sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = \(bind: sha256Hex(token))
                """
            ).first()
        else { return nil }
        let session = try Self.sessions.model(from: row), user = try Self.users.model(from: row)
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
        return (session, user)
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
