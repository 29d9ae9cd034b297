import ADSappCore

/// The person's own account: language preference, password, sessions.
enum AccountPage {
    struct Model {
        var name: String
        var email: String
        var languagePreference: ADSappCore.Language?
        var sessionCount: Int
        var notice: String?
        var passwordErrors: [String: String] = [:]
        /// Whether the address is verified; when not, the page offers to send the link again.
        var emailVerified = true
    }
}
