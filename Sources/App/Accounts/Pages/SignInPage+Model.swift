import ADSappCore

/// The sign-in form.
enum SignInPage {
    struct Model {
        var email = ""
        var next: String?
        var error: String?
        var notice: String?
    }
}
