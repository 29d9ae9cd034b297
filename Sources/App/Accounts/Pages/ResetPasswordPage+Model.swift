/// The reset link's page: a new password.
enum ResetPasswordPage {
    struct Model {
        var token: String
        var error: String?
    }
}
