import Fluent
import Foundation
import SQLKit

/// A single-use link mailed to a person (email verification, password reset). Only the token's
/// SHA-256 is stored: whoever reads the table cannot follow the links.
final class AccountToken: Model, @unchecked Sendable {
    static let schema = "account_tokens"

    enum Purpose: String, Sendable {
        case verifyEmail = "verify-email"
        case resetPassword = "reset-password"
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "purpose") var purpose: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(id: UUID = UUID(), userID: UUID, purpose: Purpose, tokenHash: String, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.$user.id = userID
        self.purpose = purpose.rawValue
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Issues and redeems `AccountToken`s.
struct AccountTokens: Sendable {
    let database: any Database
    let context: AppContext

    /// A new token for `purpose`, valid for `lifetime`; returns the secret to put in the link.
    func issue(_ purpose: AccountToken.Purpose, userID: UUID, lifetime: TimeInterval) async throws -> String {
        let now = context.dependencies.now()
        let token = context.dependencies.randomToken(bytes: 32)
        try await AccountToken(userID: userID, purpose: purpose, tokenHash: sha256Hex(token), createdAt: now, expiresAt: now + lifetime)
            .create(on: database)
        return token
    }

    /// The unused, unexpired token for `purpose` with this secret, with its user; `nil` otherwise
    /// (unknown, used, expired and malformed tokens are all the same "no").
    func find(_ purpose: AccountToken.Purpose, token: String) async throws -> (token: AccountToken, user: User)? {
        guard Self.isWellFormed(token) else { return nil }
        guard
            let row = try await AccountToken.query(on: database)
                .filter(\.$tokenHash == sha256Hex(token))
                .filter(\.$purpose == purpose.rawValue)
                .filter(\.$usedAt == nil)
                .with(\.$user)
                .first(),
            row.expiresAt > context.dependencies.now()
        else { return nil }
        return (row, row.user)
    }

    /// Marks a token used, only if nobody used it first: of two clicks at once, one wins.
    func use(_ token: AccountToken, on database: any Database) async throws -> Bool {
        let rows = try await database.sql.raw(
            "UPDATE account_tokens SET used_at = \(bind: context.dependencies.now()) WHERE id = \(bind: token.id!) AND used_at IS NULL RETURNING id"
        ).all()
        return !rows.isEmpty
    }

    /// Ends every outstanding token of a user for `purpose`.
    func endAll(_ purpose: AccountToken.Purpose, userID: UUID, on database: any Database) async throws {
        try await AccountToken.query(on: database)
            .filter(\.$user.$id == userID)
            .filter(\.$purpose == purpose.rawValue)
            .filter(\.$usedAt == nil)
            .set(\.$usedAt, to: context.dependencies.now())
            .update()
    }

    /// Tokens are 32 random bytes in base64url (43 characters); anything else is not looked up.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
            }
    }
}

extension SiteURL {
    /// The path of a mailed link, with its secret in place of the token parameter.
    func path(token: String) -> String {
        "/"
            + pathComponents.map { component in
                if case .parameter = component { return token }
                return component.description
            }.joined(separator: "/")
    }
}
