import Fluent
import Foundation

/// Counts failed sign-ins per account and per client address in the database, so every app
/// process sees the same counts, and refuses further tries once a limit is reached within the window.
struct LoginThrottle: Sendable {
    let database: any Database
    let policy: LoginThrottlePolicy
    let now: Date

    static func accountKey(_ email: String) -> String { "account:" + email }
    static func addressKey(_ address: String) -> String { "address:" + address }

    func isBlocked(email: String, address: String?) async throws -> Bool {
        if try await failures(Self.accountKey(email)) >= policy.maxFailuresPerAccount { return true }
        if let address, try await failures(Self.addressKey(address)) >= policy.maxFailuresPerAddress { return true }
        return false
    }

    func recordFailure(email: String, address: String?) async throws {
        try await LoginFailure(key: Self.accountKey(email), occurredAt: now).create(on: database)
        if let address { try await LoginFailure(key: Self.addressKey(address), occurredAt: now).create(on: database) }
        // Forget what is older than the window, so the table stays small.
        try await LoginFailure.query(on: database).filter(\.$occurredAt < now.addingTimeInterval(-policy.window)).delete()
    }

    /// A successful sign-in clears the account's count (not the address's: one right password
    /// must not reset the guessing budget of an address trying many accounts).
    func recordSuccess(email: String) async throws {
        try await LoginFailure.query(on: database).filter(\.$key == Self.accountKey(email)).delete()
    }

    private func failures(_ key: String) async throws -> Int {
        try await LoginFailure.query(on: database)
            .filter(\.$key == key)
            .filter(\.$occurredAt >= now.addingTimeInterval(-policy.window))
            .count()
    }
}
