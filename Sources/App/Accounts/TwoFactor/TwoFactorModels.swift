import Fluent
import Foundation

/// A person's TOTP shared secret, sealed by `AccountVault`. `enabledAt` is `nil` while the person
/// is still setting it up (the secret was shown but not yet confirmed with a code).
final class TwoFactorCredential: Model, @unchecked Sendable {
    static let schema = "two_factor_credentials"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "sealed_secret") var sealedSecret: Data
    @OptionalField(key: "enabled_at") var enabledAt: Date?
    /// The time step of the last accepted code; a code of this step or an earlier one is refused.
    @OptionalField(key: "last_used_step") var lastUsedStep: Int64?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), userID: UUID, sealedSecret: Data, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.sealedSecret = sealedSecret
        self.enabledAt = nil
        self.lastUsedStep = nil
        self.createdAt = createdAt
    }
}

/// One single-use recovery code, stored as a hash (`TwoFactorAccount.recoveryCodeHash`); deleted when used.
final class TwoFactorRecoveryCode: Model, @unchecked Sendable {
    static let schema = "two_factor_recovery_codes"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), userID: UUID, codeHash: String, createdAt: Date) {
        self.id = id
        self.userID = userID
        self.codeHash = codeHash
        self.createdAt = createdAt
    }
}

/// A sign-in waiting for its second factor: the password was right, no session exists yet.
final class PendingSignIn: Model, @unchecked Sendable {
    static let schema = "two_factor_pending_sign_ins"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "user_id") var userID: UUID
    /// A hash of the browser's anonymous CSRF cookie: the pending cookie alone, in another browser, is worth nothing.
    @Field(key: "browser_hash") var browserHash: String
    /// Where to go after the second step (already checked by `SafeRedirect`, and checked again at use).
    @OptionalField(key: "next") var next: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(id: UUID = UUID(), tokenHash: String, userID: UUID, browserHash: String, next: String?, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.tokenHash = tokenHash
        self.userID = userID
        self.browserHash = browserHash
        self.next = next
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A browser that skips the second step for 30 days ("remember this device").
final class RememberedDevice: Model, @unchecked Sendable {
    static let schema = "two_factor_devices"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "user_id") var userID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "user_agent") var userAgent: String?

    init() {}

    init(id: UUID = UUID(), tokenHash: String, userID: UUID, createdAt: Date, expiresAt: Date, userAgent: String?) {
        self.id = id
        self.tokenHash = tokenHash
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.userAgent = userAgent
    }
}

/// A platform data key, wrapped by the key provider (see `AccountVault`).
final class PlatformKey: Model, @unchecked Sendable {
    static let schema = "platform_keys"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "provider") var provider: String
    @Field(key: "wrapped_key") var wrappedKey: Data
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(name: String, provider: String, wrappedKey: Data, createdAt: Date) {
        self.id = name
        self.provider = provider
        self.wrappedKey = wrappedKey
        self.createdAt = createdAt
    }
}
