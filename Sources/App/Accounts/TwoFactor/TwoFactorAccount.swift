import Crypto
import Fluent
import Foundation
import SQLKit
import TwoFactor
import Vapor

/// One person's two-factor sign-in: setting it up, checking codes, recovery codes, disabling.
///
/// Every check that spends something is one conditional statement, so two requests racing with
/// the same code cannot both pass: a TOTP code moves `last_used_step` forward only if it is later
/// than the last accepted one, and a recovery code is deleted by the request that uses it.
struct TwoFactorAccount: Sendable {
    let database: any Database
    let vault: AccountVault
    let now: Date
    let randomBytes: @Sendable (Int) -> [UInt8]

    /// Codes of the step before and after the current one are accepted too (clocks drift; typing takes time).
    static let skew = 1
    static let recoveryCodeCount = 10

    /// The person's credential, confirmed or still being set up.
    func credential(userID: UUID) async throws -> TwoFactorCredential? {
        try await TwoFactorCredential.query(on: database).filter(\.$userID == userID).first()
    }

    /// Whether the person signs in with a second factor.
    func isEnabled(userID: UUID) async throws -> Bool {
        try await Self.isEnabled(userID: userID, on: database)
    }

    /// Whether the person signs in with a second factor (for callers without a vault, such as `RequireTenant`).
    static func isEnabled(userID: UUID, on database: any Database) async throws -> Bool {
        try await TwoFactorCredential.query(on: database).filter(\.$userID == userID).filter(\.$enabledAt != nil).count() > 0
    }

    /// The secret being set up: the one already shown, or a new one (the page may be reloaded while
    /// the person scans it). `nil` when two-factor is already on.
    func pendingSecret(userID: UUID) async throws -> [UInt8]? {
        if let existing = try await credential(userID: userID) {
            guard existing.enabledAt == nil else { return nil }
            return try await vault.open(existing.sealedSecret, for: userID, purpose: .totpSecret, on: database)
        }
        let secret = TwoFactor.TOTP.generateSecret(randomBytes: randomBytes)
        let sealed = try await vault.seal(secret, for: userID, purpose: .totpSecret, on: database)
        do {
            try await TwoFactorCredential(userID: userID, sealedSecret: sealed, createdAt: now).create(on: database)
        } catch  where (error as? any DatabaseError)?.isConstraintFailure == true {
            // Another tab made one at the same moment: show that one.
            return try await pendingSecret(userID: userID)
        }
        return secret
    }

    /// Turns two-factor on when `code` is a current code of the secret being set up; returns the
    /// recovery codes to show once, or `nil` for a wrong code. Only the one request that turns it on
    /// gets codes: two tabs confirming at once must not each be shown a set, the first one replaced.
    func confirm(userID: UUID, code: String) async throws -> [String]? {
        guard let credential = try await credential(userID: userID), credential.enabledAt == nil else { return nil }
        let totp = TwoFactor.TOTP(secret: try await vault.open(credential.sealedSecret, for: userID, purpose: .totpSecret, on: database))
        guard let step = totp.matchingStep(for: code, at: now, skew: Self.skew) else { return nil }
        let rows = try await database.sql.raw(
            """
            UPDATE two_factor_credentials SET enabled_at = \(bind: now), last_used_step = \(bind: step)
            WHERE id = \(bind: credential.requireID()) AND enabled_at IS NULL
            RETURNING id
            """
        ).all()
        guard !rows.isEmpty else { return nil }
        return try await newRecoveryCodes(userID: userID)
    }

    enum Check: Equatable, Sendable {
        case totp
        case recoveryCode
        case wrong
    }

    /// Checks a code from the authenticator app, or (if `allowRecovery`) a recovery code, and spends
    /// it: a TOTP step is never accepted twice, a recovery code is deleted.
    func check(userID: UUID, code rawCode: String, allowRecovery: Bool = true) async throws -> Check {
        let code = rawCode.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !code.isEmpty, code.utf8.count <= 64,
            let credential = try await credential(userID: userID), credential.enabledAt != nil
        else { return .wrong }
        let totp = TwoFactor.TOTP(secret: try await vault.open(credential.sealedSecret, for: userID, purpose: .totpSecret, on: database))
        if let step = totp.matchingStep(for: code, at: now, skew: Self.skew) {
            let rows = try await database.sql.raw(
                """
                UPDATE two_factor_credentials SET last_used_step = \(bind: step)
                WHERE user_id = \(bind: userID) AND (last_used_step IS NULL OR last_used_step < \(bind: step))
                RETURNING id
                """
            ).all()
            return rows.isEmpty ? .wrong : .totp
        }
        guard allowRecovery else { return .wrong }
        let rows = try await database.sql.raw(
            """
            DELETE FROM two_factor_recovery_codes WHERE user_id = \(bind: userID) AND code_hash = \(bind: Self.recoveryCodeHash(code, userID: userID))
            RETURNING id
            """
        ).all()
        return rows.isEmpty ? .wrong : .recoveryCode
    }

    /// Replaces the person's recovery codes by ten new ones and returns them (shown once, stored hashed).
    func newRecoveryCodes(userID: UUID) async throws -> [String] {
        let codes = RecoveryCodes.generate(count: Self.recoveryCodeCount, randomBytes: randomBytes)
        try await database.transaction { database in
            try await TwoFactorRecoveryCode.query(on: database).filter(\.$userID == userID).delete()
            for code in codes {
                try await TwoFactorRecoveryCode(userID: userID, codeHash: Self.recoveryCodeHash(code, userID: userID), createdAt: now).create(on: database)
            }
        }
        return codes
    }

    func remainingRecoveryCodes(userID: UUID) async throws -> Int {
        try await TwoFactorRecoveryCode.query(on: database).filter(\.$userID == userID).count()
    }

    /// Turns two-factor off: the secret, the recovery codes, remembered devices and pending sign-ins go.
    func disable(userID: UUID) async throws {
        try await database.transaction { database in
            try await TwoFactorCredential.query(on: database).filter(\.$userID == userID).delete()
            try await TwoFactorRecoveryCode.query(on: database).filter(\.$userID == userID).delete()
            try await Self.forgetDevices(userID: userID, on: database)
        }
    }

    /// Ends every remembered device and pending sign-in of a person: on disabling two-factor, a
    /// password change or reset, and "sign out everywhere" (`SessionStore.endAll`).
    static func forgetDevices(userID: UUID, on database: any Database) async throws {
        try await RememberedDevice.query(on: database).filter(\.$userID == userID).delete()
        try await PendingSignIn.query(on: database).filter(\.$userID == userID).delete()
    }

    /// What is stored of a recovery code: SHA-256 of its normalized form, salted with the person's id
    /// so one precomputed table does not serve every account. A code carries 50 random bits and is
    /// only worth anything together with the password; bcrypt would cost ten checks per attempt.
    static func recoveryCodeHash(_ code: String, userID: UUID) -> String {
        sha256Hex("adsapp-recovery-code:" + userID.uuidString.lowercased() + ":" + RecoveryCodes.normalize(code))
    }
}

extension Request {
    /// The signed-in person's (or any person's) two-factor sign-in, with this request's clock and randomness.
    var twoFactor: TwoFactorAccount {
        TwoFactorAccount(database: db, vault: application.accountVault, now: now, randomBytes: context.dependencies.randomBytes)
    }
}

extension Application {
    private struct AccountVaultKey: StorageKey { typealias Value = AccountVault }

    /// Seals account credentials (`configure` makes it).
    var accountVault: AccountVault {
        get {
            guard let vault = storage[AccountVaultKey.self] else { fatalError("configure(_:) has not run") }
            return vault
        }
        set { storage[AccountVaultKey.self] = newValue }
    }
}

extension Throttle.Budget {
    /// Guesses at one account's second factor (TOTP or recovery codes), on the sign-in step and on the
    /// forms that turn it on, off or renew the codes: per account, and per client address. Apart from
    /// the password budgets, so a correct password (which resets those) never buys more code guesses.
    static func twoFactorCodes(userID: UUID, address: IPAddress?, _ policy: LoginThrottlePolicy) -> [Self] {
        [
            Self(
                key: "two-factor:account:" + userID.uuidString.lowercased(), limit: policy.maxFailuresPerAccount, window: policy.window,
                afterSuccess: .reset),
            Self(key: "two-factor:address:" + Throttle.subject(address), limit: policy.maxFailuresPerAddress, window: policy.window, afterSuccess: .release),
        ]
    }
}
