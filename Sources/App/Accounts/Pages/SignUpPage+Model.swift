import ADSappCore

/// The sign-up form: a person, their password and their first organization.
enum SignUpPage {
    struct Model {
        var name = ""
        var organization = ""
        var email = ""
        var errors: [String: String] = [:]
        var formError: String?
    }
}
