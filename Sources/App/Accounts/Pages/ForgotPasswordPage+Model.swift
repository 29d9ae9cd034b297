/// "Forgot password?": one field, and the same notice whether or not the address has an account.
enum ForgotPasswordPage {
    struct Model {
        var email = ""
        var error: String?
        var formError: String?
        var notice: String?
    }
}
