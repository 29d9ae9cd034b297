import ADSappCore
import Fluent
import Vapor

/// Proving an address: the link mailed after sign-up (and on request from the account page)
/// marks it verified. The account works before that; the account page reminds the person.
enum EmailVerification {
    /// Issues a new link for `user` and queues the email (in the caller's transaction when `on:` is one).
    static func send(to user: User, _ request: Request, on database: any Database) async throws {
        let tokens = AccountTokens(database: database, context: request.context)
        let token = try await tokens.issue(.verifyEmail, userID: user.id!, lifetime: request.context.configuration.accountLinks.emailVerificationTTL)
        let email = VerifyEmailEmail(name: user.name, link: request.context.configuration.emailLink(SiteURL.emailVerify.path(token: token)))
        try await request.emails.enqueue(email, to: EmailRecipient(user, fallback: request.language), organizationName: nil, on: database)
    }

    /// The address's owner learns that someone tried to sign up with it, and where to reset the password.
    static func warnOfSignUpAttempt(_ user: User, _ request: Request) async throws {
        let email = SignUpAttemptEmail(name: user.name, resetLink: request.context.configuration.emailLink(SiteURL.passwordForgot.path))
        try await request.emails.enqueue(email, to: EmailRecipient(user, fallback: request.language), organizationName: nil, on: request.db)
    }

    /// How often a person may ask for a new link: three an hour.
    static func resendBudget(userID: UUID) -> [Throttle.Budget] {
        [Throttle.Budget(key: "verify:account:" + userID.uuidString, limit: 3, window: 3600, afterSuccess: .keep)]
    }

    // MARK: Routes

    /// `GET /email/verify/:token`: marks the address verified. Unknown, used and expired links get one 404.
    static func verify(_ request: Request) async throws -> Response {
        let token = request.parameters.get(SiteURL.token) ?? ""
        let tokens = AccountTokens(database: request.db, context: request.context)
        guard let (row, user) = try await tokens.find(.verifyEmail, token: token) else {
            return try await LinkInvalidPage.response(request, kind: .verification)
        }
        let now = request.now
        let used = try await request.db.transaction { database in
            guard try await tokens.use(row, on: database) else { return false }
            if user.emailVerifiedAt == nil {
                user.emailVerifiedAt = now
                try await user.update(on: database)
            }
            try await tokens.endAll(.verifyEmail, userID: user.id!, on: database)
            return true
        }
        guard used else { return try await LinkInvalidPage.response(request, kind: .verification) }
        request.logger.info("email verified", metadata: ["user-id": .string(user.id!.uuidString)])
        if request.signedIn?.userID == user.id {
            return request.redirect(to: SiteURL.account.path + "?notice=email_verified", redirectType: .normal)
        }
        return request.redirect(to: SiteURL.signIn.path + "?notice=email_verified", redirectType: .normal)
    }

    /// `POST /account/verification`: a new link, at most three an hour.
    static func resend(_ request: Request) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        guard signedIn.user.emailVerifiedAt == nil else {
            return request.redirect(to: SiteURL.account.path, redirectType: .normal)
        }
        switch try await request.throttle.reserve(resendBudget(userID: signedIn.userID)) {
        case .refused(let retryAfter):
            let response = request.redirect(to: SiteURL.account.path + "?notice=verification_throttled", redirectType: .normal)
            response.setRetryAfter(retryAfter)
            return response
        case .reserved:
            try await request.db.transaction { database in
                try await send(to: signedIn.user, request, on: database)
            }
            return request.redirect(to: SiteURL.account.path + "?notice=verification_sent", redirectType: .normal)
        }
    }
}

/// "Confirm your email address" after sign-up.
struct VerifyEmailEmail: EmailTemplate {
    var name: String
    var link: String

    var kind: String { "verify-email" }
    func subject(_ t: Localizer) -> String { t(.emailVerifySubject) }
    func body(_ t: Localizer) -> EmailBody {
        EmailBody(
            greeting: t(.emailGreetingName, ["name": name]), paragraphs: [t(.emailVerifyBody)],
            action: EmailAction(label: t(.emailVerifyAction), url: link), footnote: t(.emailVerifyFootnote))
    }
}

/// To an address's owner when someone signs up with it: no new account was made.
struct SignUpAttemptEmail: EmailTemplate {
    var name: String
    var resetLink: String

    var kind: String { "sign-up-attempt" }
    func subject(_ t: Localizer) -> String { t(.emailSignupAttemptSubject) }
    func body(_ t: Localizer) -> EmailBody {
        EmailBody(
            greeting: t(.emailGreetingName, ["name": name]), paragraphs: [t(.emailSignupAttemptBody)],
            action: EmailAction(label: t(.emailSignupAttemptAction), url: resetLink), footnote: t(.emailSignupAttemptFootnote))
    }
}
