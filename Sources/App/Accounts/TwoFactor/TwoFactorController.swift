import ADSappCore
import Fluent
import Vapor

/// Two-factor sign-in: the account page that sets it up, renews recovery codes and turns it off;
/// the second step of signing in; and the organization's requirement.
enum TwoFactorController {
    struct CodeForm: Content {
        var code: String?
        var password: String?
        var remember: String?
    }

    // MARK: The account page

    static func page(_ request: Request) async throws -> Response {
        let t = request.localizer
        let notice: String? =
            switch request.query[String.self, at: "notice"] {
            case "disabled": t(.twofactorNoticeDisabled)
            default: nil
            }
        let requirement = request.query[String.self, at: "required"] != nil ? t(.twofactorRequired) : nil
        return try await render(request, notice: notice, requirement: requirement)
    }

    private static func render(
        _ request: Request, status: HTTPResponseStatus = .ok, notice: String? = nil, requirement: String? = nil, errors: [String: String] = [:]
    ) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        let model = try await TwoFactorPage.query(request, signedIn, notice: notice, requirement: requirement, errors: errors)
        return try await HTMLResponse(status: status, html: TwoFactorPage.html(model, Chrome.make(for: request, section: .settings)))
            .encodeResponse(for: request)
    }

    private static func showCodes(_ request: Request, _ codes: [String], notice: String) async throws -> Response {
        let response = try await HTMLResponse(
            html: RecoveryCodesPage.html(.init(codes: codes, notice: notice), Chrome.make(for: request, section: .settings))
        ).encodeResponse(for: request)
        // Shown once: not to be kept by the browser or anything between.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Confirms the secret being set up with a current code: two-factor is on, the recovery codes are shown.
    static func confirm(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        let form = try request.content.decode(CodeForm.self)
        let t = request.localizer
        guard case .reserved(let reservation) = try await reserveCodeGuess(request, userID: signedIn.userID) else {
            return try await render(request, status: .tooManyRequests, errors: ["confirm": t(.twofactorThrottled)])
        }
        guard let codes = try await request.twoFactor.confirm(userID: signedIn.userID, code: form.code ?? "") else {
            return try await render(request, status: .unprocessableEntity, errors: ["confirm": t(.twofactorWrongCode)])
        }
        try await reservation.succeeded()
        request.logger.info("two-factor turned on", metadata: ["user-id": .string(signedIn.userID.uuidString)])
        try await notify(request, signedIn.user, TwoFactorChangedEmail(name: signedIn.user.name, email: signedIn.user.email, turnedOn: true))
        return try await showCodes(request, codes, notice: t(.twofactorNoticeEnabled))
    }

    /// New recovery codes, with the password and a current code (or a recovery code).
    static func regenerate(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        if let refusal = try await checkPasswordAndCode(request, signedIn, form: "regenerate") { return refusal }
        let codes = try await request.twoFactor.newRecoveryCodes(userID: signedIn.userID)
        return try await showCodes(request, codes, notice: request.localizer(.twofactorNoticeRegenerated))
    }

    /// Turns two-factor off, with the password and a current code or a recovery code.
    static func disable(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        if let refusal = try await checkPasswordAndCode(request, signedIn, form: "disable") { return refusal }
        try await request.twoFactor.disable(userID: signedIn.userID)
        request.logger.info("two-factor turned off", metadata: ["user-id": .string(signedIn.userID.uuidString)])
        try await notify(request, signedIn.user, TwoFactorChangedEmail(name: signedIn.user.name, email: signedIn.user.email, turnedOn: false))
        let response = request.redirect(to: SiteURL.twoFactor.path + "?notice=disabled", redirectType: .normal)
        response.cookies[Cookies.rememberedDevice] = Cookies.expired(request.context.configuration)
        return response
    }

    /// The password and a code, each counted against its own budget before it is checked. Returns
    /// the page to answer with when either is wrong (or throttled), `nil` when both are right.
    private static func checkPasswordAndCode(_ request: Request, _ signedIn: SignedIn, form name: String) async throws -> Response? {
        let form = try request.content.decode(CodeForm.self)
        let t = request.localizer
        let policy = request.context.configuration.loginThrottle
        let passwordBudgets = Throttle.Budget.passwordGuesses(email: signedIn.user.email, address: request.clientAddress, policy)
        guard case .reserved(let passwordReservation) = try await request.throttle.reserve(passwordBudgets) else {
            return try await render(request, status: .tooManyRequests, errors: [name: t(.twofactorThrottled)])
        }
        guard case .reserved(let codeReservation) = try await reserveCodeGuess(request, userID: signedIn.userID) else {
            try await passwordReservation.cancel()
            return try await render(request, status: .tooManyRequests, errors: [name: t(.twofactorThrottled)])
        }
        guard try await request.passwords.verify(form.password ?? "", against: signedIn.user.passwordHash) else {
            try await codeReservation.cancel()
            return try await render(request, status: .unprocessableEntity, errors: [name: t(.accountPasswordWrongCurrent)])
        }
        try await passwordReservation.succeeded()
        guard try await request.twoFactor.check(userID: signedIn.userID, code: form.code ?? "") != .wrong else {
            return try await render(request, status: .unprocessableEntity, errors: [name: t(.twofactorWrongCode)])
        }
        try await codeReservation.succeeded()
        return nil
    }

    /// One guess at the person's second factor, from the sign-in step and the account page alike.
    private static func reserveCodeGuess(_ request: Request, userID: UUID) async throws -> Throttle.Outcome {
        let budgets = Throttle.Budget.twoFactorCodes(userID: userID, address: request.clientAddress, request.context.configuration.loginThrottle)
        let outcome = try await request.throttle.reserve(budgets)
        if case .refused = outcome { request.logger.notice("two-factor code throttled") }
        return outcome
    }

    private static func notify(_ request: Request, _ user: User, _ mail: TwoFactorChangedEmail) async throws {
        try await request.emails.enqueue(mail, to: EmailRecipient(user, fallback: request.language), organizationName: nil, on: request.db)
    }

    // MARK: Signing in: the second step

    /// Called by `AccountsController.signIn` after a correct password: a session at once for a person
    /// without two-factor or on a remembered device, else a pending sign-in and the code page.
    static func afterPassword(_ user: User, _ request: Request, next: String?) async throws -> Response {
        let userID = try user.requireID()
        let signIn = TwoFactorSignIn(request)
        guard try await request.twoFactor.isEnabled(userID: userID),
            try await !signIn.isRemembered(token: request.cookies[Cookies.rememberedDevice]?.string, userID: userID)
        else {
            return try await AccountsController.startSession(for: user, request, redirectTo: next ?? SiteURL.dashboard.path)
        }
        let token = try await signIn.startPending(userID: userID, next: next, csrfCookie: request.cookies[Cookies.csrf]?.string)
        let response = request.redirect(to: SiteURL.signInTwoFactor.path, redirectType: .normal)
        response.cookies[Cookies.twoFactorPending] = Cookies.value(
            token, maxAge: Int(TwoFactorSignIn.pendingLifetime), request.context.configuration)
        request.logger.info("password accepted, second factor asked", metadata: ["user-id": .string(userID.uuidString)])
        return response
    }

    static func signInPage(_ request: Request) async throws -> Response {
        if request.signedIn != nil { return request.redirect(to: SiteURL.dashboard.path) }
        guard try await pendingSignIn(request) != nil else { return expired(request) }
        return try await renderSignIn(request, .init())
    }

    static func signIn(_ request: Request) async throws -> Response {
        let form = try request.content.decode(CodeForm.self)
        let t = request.localizer
        guard let (pending, user) = try await pendingSignIn(request) else { return expired(request) }
        let remember = form.remember != nil && form.remember != ""
        let userID = try user.requireID()
        let reservation: Throttle.Reservation
        switch try await reserveCodeGuess(request, userID: userID) {
        case .reserved(let reserved): reservation = reserved
        case .refused(let retryAfter):
            let response = try await renderSignIn(
                request, .init(remember: remember, error: t(.signinThrottled, ["minutes": AccountsController.minutes(retryAfter)])),
                status: .tooManyRequests)
            response.setRetryAfter(retryAfter)
            return response
        }
        let check = try await request.twoFactor.check(userID: userID, code: form.code ?? "")
        guard check != .wrong else {
            request.logger.info("two-factor code refused", metadata: ["user-id": .string(userID.uuidString)])
            return try await renderSignIn(request, .init(remember: remember, error: t(.twofactorWrongCode)), status: .unauthorized)
        }
        // The pending sign-in is spent by exactly one request, whatever races it.
        guard try await TwoFactorSignIn(request).consume(pending) else { return expired(request) }
        try await reservation.succeeded()
        let response = try await AccountsController.startSession(
            for: user, request, redirectTo: SafeRedirect.target(pending.next, default: SiteURL.dashboard.path))
        response.cookies[Cookies.twoFactorPending] = Cookies.expired(request.context.configuration)
        if remember {
            let token = try await TwoFactorSignIn(request).remember(userID: userID, userAgent: request.headers.first(name: .userAgent))
            response.cookies[Cookies.rememberedDevice] = Cookies.value(
                token, maxAge: Int(TwoFactorSignIn.deviceLifetime), request.context.configuration)
        }
        if check == .recoveryCode {
            request.logger.notice("signed in with a recovery code", metadata: ["user-id": .string(userID.uuidString)])
        }
        return response
    }

    private static func pendingSignIn(_ request: Request) async throws -> (PendingSignIn, User)? {
        try await TwoFactorSignIn(request).pending(
            token: request.cookies[Cookies.twoFactorPending]?.string, csrfCookie: request.cookies[Cookies.csrf]?.string)
    }

    /// No live pending sign-in for this browser: back to the password, the stale cookie removed.
    private static func expired(_ request: Request) -> Response {
        let response = request.redirect(to: SiteURL.signIn.path + "?notice=expired", redirectType: .normal)
        response.cookies[Cookies.twoFactorPending] = Cookies.expired(request.context.configuration)
        return response
    }

    private static func renderSignIn(_ request: Request, _ model: TwoFactorSignInPage.Model, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await HTMLResponse(status: status, html: TwoFactorSignInPage.html(model, Chrome.make(for: request))).encodeResponse(for: request)
    }

    // MARK: The organization's requirement

    struct SecurityForm: Content {
        var require_two_factor: String?
    }

    static func securityPage(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let notice = request.query[String.self, at: "notice"] == "saved" ? request.localizer(.securitySaved) : nil
        return try await renderSecurity(request, tenant, notice: notice)
    }

    static func saveSecurity(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(SecurityForm.self)
        let require = form.require_two_factor != nil && form.require_two_factor != ""
        // Whoever requires it has it: an Owner cannot turn it on and then be sent away from their own organization.
        if require, try await !request.twoFactor.isEnabled(userID: tenant.user.requireID()) {
            return try await renderSecurity(request, tenant, status: .unprocessableEntity, error: request.localizer(.securityOwnFirst))
        }
        let organization = tenant.organization
        if require != (organization.twoFactorRequiredAt != nil) {
            organization.twoFactorRequiredAt = require ? request.now : nil
            try await tenant.scope.transaction { scope in
                try await organization.update(on: scope.database)
                // Open live tabs of members without two-factor close now, not at their next page view.
                try await request.inboxEvents(on: scope.database).recordAccessChange(organizationID: scope.organizationID)
            }
            request.logger.info(
                "two-factor requirement changed",
                metadata: ["organization-id": .string(tenant.organizationID.uuidString), "required": .stringConvertible(require)])
        }
        return request.redirect(to: SiteURL.securitySettings.path + "?notice=saved", redirectType: .normal)
    }

    private static func renderSecurity(
        _ request: Request, _ tenant: Tenant, status: HTTPResponseStatus = .ok, notice: String? = nil, error: String? = nil
    ) async throws -> Response {
        let model = try await SecuritySettingsPage.query(request, tenant, notice: notice, error: error)
        return try await HTMLResponse(status: status, html: SecuritySettingsPage.html(model, Chrome.make(for: request, section: .settings)))
            .encodeResponse(for: request)
    }
}

/// "Two-factor sign-in was turned on / off for your account": so a change the owner did not make does not go unnoticed.
struct TwoFactorChangedEmail: EmailTemplate {
    var name: String
    var email: String
    var turnedOn: Bool

    var kind: String { turnedOn ? "two-factor-on" : "two-factor-off" }
    func subject(_ t: Localizer) -> String { t(turnedOn ? .twofactorEmailOnSubject : .twofactorEmailOffSubject) }
    func body(_ t: Localizer) -> EmailBody {
        EmailBody(
            greeting: t(.emailGreetingName, ["name": name]),
            paragraphs: [t(turnedOn ? .twofactorEmailOnBody : .twofactorEmailOffBody, ["email": email])],
            footnote: t(.twofactorEmailFootnote))
    }
}
