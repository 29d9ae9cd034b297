import ADSappCore
import Fluent
import Vapor

/// Sign-up, sign-in, sign-out, the account page and its forms.
enum AccountsController {
    // MARK: Sign-in

    struct SignInForm: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    static func signInPage(_ request: Request) async throws -> Response {
        if request.signedIn != nil { return request.redirect(to: SiteURL.dashboard.path) }
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "signed_out": t(.signinSignedOut)
            case "expired": t(.signinExpired)
            case "signup_sent": t(.signupSent)
            case "email_verified": t(.verifyNoticeVerified)
            case "password_reset": t(.resetNoticeDone)
            default: nil
            }
        let model = SignInPage.Model(next: SafeRedirect.localPath(request.query[String.self, at: "next"]), notice: notice)
        return try await HTMLResponse(html: SignInPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }

    static func signIn(_ request: Request) async throws -> Response {
        let form = try request.content.decode(SignInForm.self)
        let t = request.localizer
        let rawEmail = form.email ?? ""
        let password = form.password ?? ""
        var model = SignInPage.Model(email: rawEmail, next: SafeRedirect.localPath(form.next))

        func refuse(_ status: HTTPResponseStatus, _ message: String) async throws -> Response {
            model.error = message
            return try await HTMLResponse(status: status, html: SignInPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
        }

        guard let email = try? EmailAddress(rawEmail), !password.isEmpty else {
            return try await refuse(.unauthorized, t(.signinFailed))
        }
        // The attempt is counted before the password is checked, so parallel guesses cannot outrun the count.
        let budgets = Throttle.Budget.passwordGuesses(email: email.value, address: request.clientAddress, request.context.configuration.loginThrottle)
        let reservation: Throttle.Reservation
        switch try await request.throttle.reserve(budgets) {
        case .reserved(let reserved): reservation = reserved
        case .refused(let retryAfter):
            request.logger.notice("sign-in throttled")
            let response = try await refuse(.tooManyRequests, t(.signinThrottled, ["minutes": Self.minutes(retryAfter)]))
            response.setRetryAfter(retryAfter)
            return response
        }
        let user = try await User.query(on: request.db).filter(\.$email == email.value).first()
        let valid: Bool
        if let user {
            valid = try await request.passwords.verify(password, against: user.passwordHash)
        } else {
            try await request.passwords.verifyAgainstNothing(password)
            valid = false
        }
        guard let user, valid else {
            request.logger.info("sign-in refused")
            return try await refuse(.unauthorized, t(.signinFailed))
        }
        try await reservation.succeeded()
        // With two-factor on, the password only leads to the second step (unless this device is remembered).
        return try await TwoFactorController.afterPassword(user, request, next: model.next)
    }

    /// Replaces any session of this browser by a new one (new id on every sign-in) and sets the cookie.
    static func startSession(for user: User, _ request: Request, redirectTo target: String, organizationID: UUID? = nil) async throws -> Response {
        let store = SessionStore(database: request.db, context: request.context)
        if let old = request.signedIn?.session { try await store.end(old) }
        let organization: UUID?
        if let organizationID {
            organization = organizationID
        } else {
            organization = try await Memberships(database: request.db).first(userID: user.id!)?.organizationID
        }
        let (token, _) = try await store.start(userID: user.id!, organizationID: organization, userAgent: request.headers.first(name: .userAgent))
        let response = request.redirect(to: target, redirectType: .normal)
        response.cookies[Cookies.session] = Cookies.value(
            token, maxAge: Int(request.context.configuration.sessionAbsoluteTimeout), request.context.configuration)
        request.logger.info("signed in", metadata: ["user-id": .string(user.id!.uuidString)])
        return response
    }

    static func signOut(_ request: Request) async throws -> Response {
        if let session = request.signedIn?.session {
            try await SessionStore(database: request.db, context: request.context).end(session)
        }
        let response = request.redirect(to: SiteURL.signIn.path + "?notice=signed_out", redirectType: .normal)
        response.cookies[Cookies.session] = Cookies.expired(request.context.configuration)
        return response
    }

    // MARK: Sign-up

    struct SignUpForm: Content {
        var name: String?
        var organization: String?
        var email: String?
        var password: String?
    }

    static func signUpPage(_ request: Request) async throws -> Response {
        if request.signedIn != nil { return request.redirect(to: SiteURL.dashboard.path) }
        return try await HTMLResponse(html: SignUpPage.html(.init(), Chrome.make(for: request))).encodeResponse(for: request)
    }

    static func signUp(_ request: Request) async throws -> Response {
        let form = try request.content.decode(SignUpForm.self)
        let t = request.localizer
        var model = SignUpPage.Model(name: form.name ?? "", organization: form.organization ?? "", email: form.email ?? "")
        let email = (try? EmailAddress(model.email))?.value ?? model.email.trimmingCharacters(in: .whitespaces)
        let budgets = Throttle.Budget.signUps(email: email, address: request.clientAddress, request.context.configuration.loginThrottle)
        let reservation: Throttle.Reservation
        switch try await request.throttle.reserve(budgets) {
        case .reserved(let reserved): reservation = reserved
        case .refused(let retryAfter):
            request.logger.notice("sign-up throttled")
            model.formError = t(.signupThrottled, ["minutes": Self.minutes(retryAfter)])
            let response = try await HTMLResponse(status: .tooManyRequests, html: SignUpPage.html(model, Chrome.make(for: request))).encodeResponse(
                for: request)
            response.setRetryAfter(retryAfter)
            return response
        }
        let registration = Registration(database: request.db, passwords: request.passwords, now: request.now)
        // The answer is the same whether or not the address has an account: the same redirect to
        // the sign-in page with the same notice, no session cookie either way, and one bcrypt hash
        // on both paths. Signing the new person in at once would tell anyone who tries an address
        // that it is free. Instead the new account works as soon as its owner signs in with the
        // password just chosen (the notice says so); the email then either confirms the address
        // (new account) or tells the address's owner that someone tried (existing account).
        do {
            let outcome = try await registration.register(
                .init(
                    name: model.name, organization: model.organization, email: model.email, password: form.password ?? "",
                    language: request.language.rawValue))
            switch outcome {
            case .created(let user, _):
                try await request.db.transaction { database in
                    try await EmailVerification.send(to: user, request, on: database)
                }
            case .addressTaken(let existing):
                try await EmailVerification.warnOfSignUpAttempt(existing, request)
            }
            return request.redirect(to: SiteURL.signIn.path + "?notice=signup_sent", redirectType: .normal)
        } catch Registration.Failure.invalid(let failure) {
            // Refused before any lookup or hashing: nothing was tried, so nothing is counted.
            try await reservation.cancel()
            for error in failure.errors { model.errors[error.field] = t.fieldError(error) }
        }
        return try await HTMLResponse(status: .unprocessableEntity, html: SignUpPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }

    // MARK: Account

    static func accountPage(_ request: Request) async throws -> Response {
        try await renderAccount(request, notice: request.query[String.self, at: "notice"])
    }

    private static func renderAccount(_ request: Request, notice: String?, status: HTTPResponseStatus = .ok, passwordErrors: [String: String] = [:])
        async throws -> Response
    {
        let signedIn = try request.requireSignedIn()
        let t = request.localizer
        let noticeText: String? =
            switch notice {
            case "password_changed": t(.accountNoticePasswordChanged)
            case "language_saved": t(.accountNoticeLanguageSaved)
            case "signed_out_elsewhere": t(.accountNoticeSignedOutElsewhere)
            case "verification_sent": t(.verifyNoticeSent)
            case "verification_throttled": t(.verifyNoticeThrottled)
            case "email_verified": t(.verifyNoticeVerified)
            default: nil
            }
        let model = try await AccountPage.query(request, signedIn, notice: noticeText, passwordErrors: passwordErrors)
        return try await HTMLResponse(status: status, html: AccountPage.html(model, Chrome.make(for: request, section: .settings))).encodeResponse(for: request)
    }

    struct ChangePasswordForm: Content {
        var current_password: String?
        var new_password: String?
    }

    static func changePassword(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        let form = try request.content.decode(ChangePasswordForm.self)
        let t = request.localizer
        let user = signedIn.user
        // A stolen session must not become a way to guess the password: the same budgets as sign-in.
        let budgets = Throttle.Budget.passwordGuesses(email: user.email, address: request.clientAddress, request.context.configuration.loginThrottle)
        let reservation: Throttle.Reservation
        switch try await request.throttle.reserve(budgets) {
        case .reserved(let reserved): reservation = reserved
        case .refused(let retryAfter):
            request.logger.notice("password change throttled")
            let response = try await renderAccount(
                request, notice: nil, status: .tooManyRequests,
                passwordErrors: ["current_password": t(.signinThrottled, ["minutes": Self.minutes(retryAfter)])])
            response.setRetryAfter(retryAfter)
            return response
        }
        guard try await request.passwords.verify(form.current_password ?? "", against: user.passwordHash) else {
            return try await renderAccount(
                request, notice: nil, status: .unprocessableEntity, passwordErrors: ["current_password": t(.accountPasswordWrongCurrent)])
        }
        try await reservation.succeeded()
        let newPassword = form.new_password ?? ""
        do {
            try PasswordPolicy.check(newPassword, email: try? EmailAddress(user.email), field: "new_password")
        } catch {
            return try await renderAccount(request, notice: nil, status: .unprocessableEntity, passwordErrors: ["new_password": t.fieldError(error)])
        }
        user.passwordHash = try await request.passwords.hash(newPassword)
        user.passwordChangedAt = request.now
        try await user.update(on: request.db)
        try await SessionStore(database: request.db, context: request.context).endAll(userID: signedIn.userID, except: signedIn.session.id)
        return request.redirect(to: SiteURL.account.path + "?notice=password_changed", redirectType: .normal)
    }

    static func signOutEverywhere(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        try await SessionStore(database: request.db, context: request.context).endAll(userID: signedIn.userID, except: signedIn.session.id)
        return request.redirect(to: SiteURL.account.path + "?notice=signed_out_elsewhere", redirectType: .normal)
    }

    struct LanguageForm: Content {
        var language: String?
        var return_to: String?
    }

    /// The account page's preference: a language, or empty for "follow my browser".
    static func saveLanguagePreference(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        let form = try request.content.decode(LanguageForm.self)
        let choice = form.language ?? ""
        guard choice.isEmpty || Language(rawValue: choice) != nil else { throw Abort(.badRequest) }
        signedIn.user.language = choice.isEmpty ? nil : choice
        try await signedIn.user.update(on: request.db)
        let response = request.redirect(to: SiteURL.account.path + "?notice=language_saved", redirectType: .normal)
        if choice.isEmpty { response.cookies[Cookies.language] = Cookies.expired(request.context.configuration) }
        return response
    }

    /// The language switch in the top bar, for everyone: a cookie, and the preference of a signed-in person.
    static func switchLanguage(_ request: Request) async throws -> Response {
        let form = try request.content.decode(LanguageForm.self)
        guard let language = form.language.flatMap(Language.init(rawValue:)) else { throw Abort(.badRequest) }
        if let user = request.signedIn?.user {
            user.language = language.rawValue
            try await user.update(on: request.db)
        }
        let response = request.redirect(to: SafeRedirect.target(form.return_to, default: SiteURL.home.path), redirectType: .normal)
        response.cookies[Cookies.language] = Cookies.value(language.rawValue, maxAge: 365 * 24 * 3600, request.context.configuration)
        return response
    }

    /// Whole minutes until a throttle lets go, for the message (never "0 minutes").
    static func minutes(_ seconds: TimeInterval) -> String {
        String(max(1, Int((seconds / 60).rounded(.up))))
    }
}
