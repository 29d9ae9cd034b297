/// The second step of signing in: a code from the authenticator app, or a recovery code.
enum TwoFactorSignInPage {
    struct Model {
        var remember = false
        var error: String?
    }
}
