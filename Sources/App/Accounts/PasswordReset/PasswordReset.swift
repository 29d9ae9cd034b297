import ADSappCore
import Fluent
import Vapor

/// "Forgot password?": a single-use link, valid for an hour (`PASSWORD_RESET_TTL_SECONDS`), stored
/// hashed. The form answers the same whether or not the address has an account.
enum PasswordReset {
    struct ForgotForm: Content { var email: String? }
    struct ResetForm: Content { var password: String? }

    /// Per address asked for (so nobody's inbox is flooded) and per client address (so one client
    /// cannot walk many addresses). Counted whatever the outcome: a refusal says nothing about the address.
    static func budgets(email: String, address: IPAddress?) -> [Throttle.Budget] {
        [
            Throttle.Budget(key: "reset:account:" + email.lowercased(), limit: 3, window: 3600, afterSuccess: .keep),
            Throttle.Budget(key: "reset:address:" + Throttle.subject(address), limit: 20, window: 3600, afterSuccess: .keep),
        ]
    }

    static func forgotPage(_ request: Request) async throws -> Response {
        try await render(request, ForgotPasswordPage.Model())
    }

    static func requestLink(_ request: Request) async throws -> Response {
        let form = try request.content.decode(ForgotForm.self)
        let t = request.localizer
        var model = ForgotPasswordPage.Model(email: form.email ?? "")
        let email: EmailAddress
        do { email = try EmailAddress(model.email) } catch {
            model.error = t.fieldError(error)
            return try await render(request, model, status: .unprocessableEntity)
        }
        switch try await request.throttle.reserve(budgets(email: email.value, address: request.clientAddress)) {
        case .refused(let retryAfter):
            request.logger.notice("password reset throttled")
            model.formError = t(.resetThrottled, ["minutes": AccountsController.minutes(retryAfter)])
            let response = try await render(request, model, status: .tooManyRequests)
            response.setRetryAfter(retryAfter)
            return response
        case .reserved: break
        }
        // The same answer either way; the only difference in work is two small inserts (the token and
        // the email job), far below the noise of a network round trip.
        let user = try await User.query(on: request.db).filter(\.$email == email.value).first()
        let context = request.context
        if let user {
            try await request.db.transaction { database in
                let token = try await AccountTokens(database: database, context: context)
                    .issue(.resetPassword, userID: user.id!, lifetime: context.configuration.accountLinks.passwordResetTTL)
                let mail = PasswordResetEmail(
                    name: user.name, link: context.configuration.emailLink(SiteURL.passwordReset.path(token: token)),
                    minutes: Int(context.configuration.accountLinks.passwordResetTTL / 60))
                try await request.emails.enqueue(mail, to: EmailRecipient(user, fallback: request.language), organizationName: nil, on: database)
            }
        }
        return request.redirect(to: SiteURL.passwordForgot.path + "?notice=sent", redirectType: .normal)
    }

    static func resetPage(_ request: Request) async throws -> Response {
        let token = request.parameters.get(SiteURL.token) ?? ""
        guard try await AccountTokens(database: request.db, context: request.context).find(.resetPassword, token: token) != nil else {
            return try await LinkInvalidPage.response(request, kind: .passwordReset)
        }
        return try await render(request, ResetPasswordPage.Model(token: token))
    }

    static func reset(_ request: Request) async throws -> Response {
        let token = request.parameters.get(SiteURL.token) ?? ""
        let form = try request.content.decode(ResetForm.self)
        let tokens = AccountTokens(database: request.db, context: request.context)
        guard let (row, user) = try await tokens.find(.resetPassword, token: token) else {
            return try await LinkInvalidPage.response(request, kind: .passwordReset)
        }
        let password = form.password ?? ""
        do {
            try PasswordPolicy.check(password, email: try? EmailAddress(user.email))
        } catch {
            return try await render(request, ResetPasswordPage.Model(token: token, error: request.localizer.fieldError(error)), status: .unprocessableEntity)
        }
        let hash = try await request.passwords.hash(password)
        let now = request.now
        let context = request.context
        let changed = try await request.db.transaction { database in
            guard try await tokens.use(row, on: database) else { return false }
            user.passwordHash = hash
            user.passwordChangedAt = now
            // The link reached the address: it is proven as well.
            if user.emailVerifiedAt == nil { user.emailVerifiedAt = now }
            try await user.update(on: database)
            try await AccountTokens(database: database, context: context).endAll(.resetPassword, userID: user.id!, on: database)
            try await SessionStore(database: database, context: context).endAll(userID: user.id!)
            try await request.emails.enqueue(
                PasswordChangedEmail(name: user.name, resetLink: context.configuration.emailLink(SiteURL.passwordForgot.path)),
                to: EmailRecipient(user, fallback: request.language), organizationName: nil, on: database)
            return true
        }
        guard changed else { return try await LinkInvalidPage.response(request, kind: .passwordReset) }
        request.logger.info("password reset", metadata: ["user-id": .string(user.id!.uuidString)])
        let response = request.redirect(to: SiteURL.signIn.path + "?notice=password_reset", redirectType: .normal)
        // This browser's session (if any) ended with all the others.
        if request.signedIn != nil { response.cookies[Cookies.session] = Cookies.expired(request.context.configuration) }
        return response
    }

    private static func render(_ request: Request, _ model: ForgotPasswordPage.Model, status: HTTPResponseStatus = .ok) async throws -> Response {
        var model = model
        if request.query[String.self, at: "notice"] == "sent" { model.notice = request.localizer(.resetSent) }
        return try await HTMLResponse(status: status, html: ForgotPasswordPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }

    private static func render(_ request: Request, _ model: ResetPasswordPage.Model, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await HTMLResponse(status: status, html: ResetPasswordPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }
}

/// The reset link.
struct PasswordResetEmail: EmailTemplate {
    var name: String
    var link: String
    var minutes: Int

    var kind: String { "password-reset" }
    func subject(_ t: Localizer) -> String { t(.emailResetSubject) }
    func body(_ t: Localizer) -> EmailBody {
        EmailBody(
            greeting: t(.emailGreetingName, ["name": name]), paragraphs: [t(.emailResetBody, ["minutes": String(minutes)])],
            action: EmailAction(label: t(.emailResetAction), url: link), footnote: t(.emailResetFootnote))
    }
}

/// After a reset: "your password was changed", so a reset the owner did not ask for does not go unnoticed.
struct PasswordChangedEmail: EmailTemplate {
    var name: String
    var resetLink: String

    var kind: String { "password-changed" }
    func subject(_ t: Localizer) -> String { t(.emailPasswordChangedSubject) }
    func body(_ t: Localizer) -> EmailBody {
        EmailBody(
            greeting: t(.emailGreetingName, ["name": name]), paragraphs: [t(.emailPasswordChangedBody)],
            action: EmailAction(label: t(.emailPasswordChangedAction), url: resetLink), footnote: nil)
    }
}
