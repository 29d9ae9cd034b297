import Fluent
import Foundation
import SQLKit
import Vapor

extension Cookies {
    /// The pending sign-in between the password and the second factor.
    static let twoFactorPending = "adsapp_2fa_pending"
    /// A browser remembered for 30 days: it skips the second factor.
    static let rememberedDevice = "adsapp_device"
}

/// The pending sign-ins and remembered devices behind the two cookies of the second step.
struct TwoFactorSignIn: Sendable {
    let database: any Database
    let now: Date
    let randomToken: @Sendable () -> String

    /// How long the second step may take after the password.
    static let pendingLifetime: TimeInterval = 10 * 60
    /// How long a remembered device skips the second step.
    static let deviceLifetime: TimeInterval = 30 * 24 * 3600

    init(database: any Database, now: Date, randomToken: @escaping @Sendable () -> String) {
        self.database = database
        self.now = now
        self.randomToken = randomToken
    }

    init(_ request: Request) {
        let dependencies = request.context.dependencies
        self.init(database: request.db, now: request.now, randomToken: { dependencies.randomToken(bytes: 32) })
    }

    /// What binds a pending sign-in to the browser that typed the password: its anonymous CSRF cookie.
    static func browserHash(_ csrfCookie: String?) -> String {
        sha256Hex("adsapp-2fa-browser:" + (csrfCookie ?? ""))
    }

    // MARK: Pending sign-ins

    /// Starts the second step for a person whose password was right; returns the cookie token.
    func startPending(userID: UUID, next: String?, csrfCookie: String?) async throws -> String {
        let token = randomToken()
        // One pending sign-in per person and browser at a time is enough; older ones of this browser go.
        let browser = Self.browserHash(csrfCookie)
        try await PendingSignIn.query(on: database).filter(\.$userID == userID).filter(\.$browserHash == browser).delete()
        try await PendingSignIn(
            tokenHash: sha256Hex(token), userID: userID, browserHash: browser, next: next, createdAt: now,
            expiresAt: now.addingTimeInterval(Self.pendingLifetime)
        ).create(on: database)
        return token
    }

    /// The pending sign-in of this cookie token, if it is live and was started in this browser.
    /// Expired ones are deleted when found.
    func pending(token: String?, csrfCookie: String?) async throws -> (pending: PendingSignIn, user: User)? {
        guard let token, !token.isEmpty, token.utf8.count <= 100,
            let pending = try await PendingSignIn.query(on: database).filter(\.$tokenHash == sha256Hex(token)).first()
        else { return nil }
        guard pending.expiresAt > now else {
            try await pending.delete(on: database)
            return nil
        }
        guard constantTimeEquals(pending.browserHash, Self.browserHash(csrfCookie)),
            let user = try await User.find(pending.userID, on: database)
        else { return nil }
        return (pending, user)
    }

    /// Spends a pending sign-in: only the one request that deletes the row may start the session.
    func consume(_ pending: PendingSignIn) async throws -> Bool {
        guard let id = pending.id else { return false }
        let rows = try await database.sql.raw("DELETE FROM two_factor_pending_sign_ins WHERE id = \(bind: id) RETURNING id").all()
        return !rows.isEmpty
    }

    // MARK: Remembered devices

    /// Remembers this browser for the person; returns the cookie token.
    func remember(userID: UUID, userAgent: String?) async throws -> String {
        let token = randomToken()
        try await RememberedDevice(
            tokenHash: sha256Hex(token), userID: userID, createdAt: now, expiresAt: now.addingTimeInterval(Self.deviceLifetime),
            userAgent: userAgent.map { String($0.prefix(255)) }
        ).create(on: database)
        return token
    }

    /// Whether this device cookie remembers this person's browser (and has not expired).
    func isRemembered(token: String?, userID: UUID) async throws -> Bool {
        guard let token, !token.isEmpty, token.utf8.count <= 100 else { return false }
        return try await RememberedDevice.query(on: database)
            .filter(\.$tokenHash == sha256Hex(token)).filter(\.$userID == userID).filter(\.$expiresAt > now)
            .count() > 0
    }

    /// Forgets pending sign-ins and remembered devices that have expired (the maintenance job, `PruneExpiredSessions`).
    static func prune(_ database: any Database, now: Date) async throws {
        try await PendingSignIn.query(on: database).filter(\.$expiresAt <= now).delete()
        try await RememberedDevice.query(on: database).filter(\.$expiresAt <= now).delete()
    }
}
