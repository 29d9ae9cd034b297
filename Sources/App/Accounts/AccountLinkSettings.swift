import Foundation

/// How long the links mailed to people stay usable.
public struct AccountLinkSettings: Sendable, Equatable {
    /// `INVITATION_TTL_SECONDS` (default 7 days).
    public var invitationTTL: TimeInterval
    /// `PASSWORD_RESET_TTL_SECONDS` (default 1 hour).
    public var passwordResetTTL: TimeInterval
    /// `EMAIL_VERIFICATION_TTL_SECONDS` (default 3 days).
    public var emailVerificationTTL: TimeInterval

    public static let standard = AccountLinkSettings(invitationTTL: 7 * 24 * 3600, passwordResetTTL: 3600, emailVerificationTTL: 3 * 24 * 3600)

    static func load(_ value: (String) -> String?) throws(ConfigurationError) -> AccountLinkSettings {
        func seconds(_ name: String, default fallback: TimeInterval) throws(ConfigurationError) -> TimeInterval {
            TimeInterval(try AppConfiguration.integer(name, value, default: Int(fallback), range: 1...(30 * 24 * 3600)))
        }
        return AccountLinkSettings(
            invitationTTL: try seconds("INVITATION_TTL_SECONDS", default: standard.invitationTTL),
            passwordResetTTL: try seconds("PASSWORD_RESET_TTL_SECONDS", default: standard.passwordResetTTL),
            emailVerificationTTL: try seconds("EMAIL_VERIFICATION_TTL_SECONDS", default: standard.emailVerificationTTL)
        )
    }
}
