import Fluent
import Foundation
import SQLKit
import Vapor

/// Attempt budgets kept in the database, shared by every app process: at most `limit` attempts
/// per key in a window that starts with the key's first attempt.
///
/// An attempt is *reserved before* the work it guards (a bcrypt check, a sign-up) by one atomic
/// statement, an upsert whose update only happens while the budget lasts. Parallel requests
/// therefore cannot all pass a check and record their failures afterwards: the database hands
/// out exactly `limit` reservations, on SQLite (one writer) and on PostgreSQL (the row lock; the
/// condition is evaluated again on the row as it is after the lock is granted).
///
/// One `Throttle` serves every guessable secret: sign-in, password change, sign-up, and later
/// password reset and MFA codes add their own `Budget`s.
struct Throttle: Sendable {
    let database: any SQLDatabase
    let now: Date

    /// `limit` attempts per `window` for one key, such as `password:account:anna@example.com`.
    struct Budget: Sendable {
        var key: String
        var limit: Int
        var window: TimeInterval
        /// What a successful attempt does to the budget.
        var afterSuccess: AfterSuccess
    }

    enum AfterSuccess: Sendable {
        /// The attempt stays counted (each sign-up is a new account).
        case keep
        /// Only this attempt is given back (an address with many people behind it).
        case release
        /// The count starts over (whoever knows the account's password may try again).
        case reset
    }

    enum Outcome: Sendable {
        case reserved(Reservation)
        /// Nothing was reserved; the budget that ran out frees up in `retryAfter` seconds.
        case refused(retryAfter: TimeInterval)
    }

    /// Reserves one attempt from every budget, or from none: a refusal gives back what it took.
    func reserve(_ budgets: [Budget]) async throws -> Outcome {
        var taken: [Budget] = []
        for budget in budgets {
            if try await take(budget) {
                taken.append(budget)
            } else {
                for earlier in taken { try await release(earlier.key) }
                return .refused(retryAfter: try await retryAfter(budget))
            }
        }
        return .reserved(Reservation(throttle: self, budgets: taken))
    }

    /// The attempts reserved for one request; a failed attempt needs nothing more (it stays counted).
    struct Reservation: Sendable {
        let throttle: Throttle
        let budgets: [Budget]

        func succeeded() async throws {
            for budget in budgets {
                switch budget.afterSuccess {
                case .keep: break
                case .release: try await throttle.release(budget.key)
                case .reset: try await throttle.reset(budget.key)
                }
            }
        }

        /// The attempt was not made after all (the input was refused before any secret was checked).
        func cancel() async throws {
            for budget in budgets { try await throttle.release(budget.key) }
        }
    }

    private var nowMicros: Int64 { Self.micros(now) }
    private static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    private func take(_ budget: Budget) async throws -> Bool {
        let expired = nowMicros - Int64(budget.window * 1_000_000)
        let rows = try await database.raw(
            """
            INSERT INTO throttle_counters (bucket, window_started_at, attempts) VALUES (\(bind: budget.key), \(bind: nowMicros), 1)
            ON CONFLICT (bucket) DO UPDATE SET
                attempts = CASE WHEN throttle_counters.window_started_at <= \(bind: expired) THEN 1 ELSE throttle_counters.attempts + 1 END,
                window_started_at = CASE WHEN throttle_counters.window_started_at <= \(bind: expired) THEN \(bind: nowMicros) ELSE throttle_counters.window_started_at END
            WHERE throttle_counters.window_started_at <= \(bind: expired) OR throttle_counters.attempts < \(bind: budget.limit)
            RETURNING attempts
            """
        ).all()
        return !rows.isEmpty
    }

    private func release(_ key: String) async throws {
        try await database.raw("UPDATE throttle_counters SET attempts = attempts - 1 WHERE bucket = \(bind: key) AND attempts > 0").run()
    }

    private func reset(_ key: String) async throws {
        try await database.raw("UPDATE throttle_counters SET attempts = 0 WHERE bucket = \(bind: key)").run()
    }

    private func retryAfter(_ budget: Budget) async throws -> TimeInterval {
        let started = try await database.raw("SELECT window_started_at FROM throttle_counters WHERE bucket = \(bind: budget.key)")
            .first()?.decode(column: "window_started_at", as: Int64.self)
        let ends = Double(started ?? nowMicros) / 1_000_000 + budget.window
        return max(1, ends - now.timeIntervalSince1970)
    }

    /// Forgets windows that started before `date` (run by the maintenance job).
    static func prune(_ database: any Database, windowsStartedBefore date: Date) async throws {
        let sql = database.sql
        try await sql.raw("DELETE FROM throttle_counters WHERE window_started_at < \(bind: micros(date))").run()
    }
}

extension Throttle.Budget {
    /// Guesses at one account's password, from sign-in and password change alike (and later reset
    /// and MFA): per account, and per client address so one address cannot walk many accounts.
    static func passwordGuesses(email: String, address: IPAddress?, _ policy: LoginThrottlePolicy) -> [Self] {
        [
            Self(key: "password:account:" + email.lowercased(), limit: policy.maxFailuresPerAccount, window: policy.window, afterSuccess: .reset),
            Self(key: "password:address:" + Throttle.subject(address), limit: policy.maxFailuresPerAddress, window: policy.window, afterSuccess: .release),
        ]
    }

    /// Sign-ups: per email address asked for, and per client address, counted whatever the outcome.
    static func signUps(email: String, address: IPAddress?, _ policy: LoginThrottlePolicy) -> [Self] {
        [
            Self(key: "signup:account:" + email.lowercased(), limit: policy.maxFailuresPerAccount, window: policy.window, afterSuccess: .keep),
            Self(key: "signup:address:" + Throttle.subject(address), limit: policy.maxSignUpsPerAddress, window: policy.window, afterSuccess: .keep),
        ]
    }
}

extension Throttle {
    /// The key part for a client address: IPv4 as is, IPv6 by its /64 (one subscriber gets a whole
    /// /64, so per-address IPv6 budgets would be endless). No IP peer at all shares one budget.
    static func subject(_ address: IPAddress?) -> String {
        guard let address else { return "unknown" }
        if address.isIPv4 { return address.description }
        return IPAddress(bytes: Array(address.bytes.prefix(8)) + Array(repeating: 0, count: 8)).description + "/64"
    }
}

extension Response {
    /// Tells the client when a refused budget frees up (whole seconds, rounded up).
    func setRetryAfter(_ seconds: TimeInterval) {
        headers.replaceOrAdd(name: .retryAfter, value: String(Int(seconds.rounded(.up))))
    }
}

extension Request {
    var throttle: Throttle {
        get throws {
            let sql = db.sql
            return Throttle(database: sql, now: now)
        }
    }
}
