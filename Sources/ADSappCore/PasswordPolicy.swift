/// What a new password must satisfy.
///
/// Follows NIST SP 800-63B: a minimum length, no composition rules, a block list of common
/// passwords, and no password that contains the account's own email name. bcrypt reads only the
/// first 72 bytes, so longer passwords are refused instead of silently truncated.
public enum PasswordPolicy {
    public static let minimumLength = 10
    public static let maximumBytes = 72

    public static func check(_ password: String, email: EmailAddress?, field: String = "password") throws(FieldError) {
        guard !password.isEmpty else { throw FieldError(field: field, code: .required) }
        guard password.count >= minimumLength else { throw FieldError(field: field, code: .tooShort, limit: minimumLength) }
        guard password.utf8.count <= maximumBytes else { throw FieldError(field: field, code: .tooLong, limit: maximumBytes) }
        let lowered = password.lowercased()
        if Set(lowered).count <= 2 || commonPasswords.contains(lowered) {
            throw FieldError(field: field, code: .tooCommon)
        }
        if let email, let name = email.value.split(separator: "@").first, name.count >= 4, lowered.contains(name) {
            throw FieldError(field: field, code: .containsEmail)
        }
    }

    /// The most common passwords of at least the minimum length in public breach lists.
    static let commonPasswords: Set<String> = [
        "1234567890", "12345678910", "0123456789", "1q2w3e4r5t", "qwertyuiop", "password1",
        "password12", "password123", "password1234", "iloveyou12", "qwerty1234", "1qaz2wsx3edc",
        "abcdefghij", "abc1234567", "princess12", "sunshine12", "football12", "welcome123",
        "letmein123", "administrator", "passw0rd123", "qwertyuiop123", "zaq12wsxcde", "asdfghjkl1",
        "whatsapp123", "adsapp1234", "changeme123", "trustno1234", "starwars12", "dragon1234",
        "wachtwoord", "wachtwoord1", "wachtwoord123", "welkom1234", "welkom123",
    ]
}
