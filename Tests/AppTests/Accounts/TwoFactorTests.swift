@testable import App
import ADSappCore
import Fluent
import Foundation
import SQLKit
import Testing
import TwoFactor
import Vapor
import VaporTesting

/// A person with two-factor sign-in on: their authenticator (the secret read off the page, as an
/// app would scan it) and the recovery codes they were shown.
struct Authenticator {
    let totp: TwoFactor.TOTP
    let recoveryCodes: [String]

    func code(_ app: TestApp, steps offset: Int64 = 0) -> String {
        totp.code(forStep: TwoFactor.TOTP.step(at: app.clock.now) + offset)
    }
}

extension Browser {
    /// Posts a code (or recovery code) on the second step of signing in.
    func secondStep(_ code: String, remember: Bool = false) async throws -> TestingHTTPResponse {
        try await post("/signin/two-factor", remember ? ["code": code, "remember": "1"] : ["code": code])
    }
}

extension TestApp {
    static let password = "correct-horse-battery-staple-42"

    /// Sets up two-factor for the signed-in browser's person through the pages and returns their authenticator.
    func enrol(_ browser: Browser) async throws -> Authenticator {
        let page = try await browser.get("/account/two-factor")
        #expect(page.status == .ok)
        let secretText = try #require(Self.between(page.body.string, "data-testid=\"two-factor-secret\">", "</code>"))
        let secret = try #require(Base32.decode(secretText))
        #expect(secret.count == 20)
        let totp = TwoFactor.TOTP(secret: secret)
        let confirmed = try await browser.post("/account/two-factor/confirm", ["code": totp.code(at: clock.now)])
        #expect(confirmed.status == .ok, "confirming failed: \(confirmed.body.string.prefix(300))")
        #expect(confirmed.headers.first(name: .cacheControl) == "no-store")
        let codes = Self.recoveryCodes(in: confirmed.body.string)
        #expect(codes.count == 10)
        return Authenticator(totp: totp, recoveryCodes: codes)
    }

    /// A new browser that typed the right password; it stands at the code page (or, without two-factor, is signed in).
    func passwordStep(email: String, next: String? = nil, browser: Browser? = nil) async throws -> (Browser, TestingHTTPResponse) {
        let browser = browser ?? self.browser()
        _ = try await browser.get("/signin")
        var fields = ["email": email, "password": Self.password]
        if let next { fields["next"] = next }
        let response = try await browser.post("/signin", fields)
        return (browser, response)
    }

    /// Anna, signed up (her browser stays signed in) and with two-factor on.
    func annaWithTwoFactor() async throws -> (Browser, Authenticator) {
        let anna = try await signUp(email: "anna@example.com")
        return (anna, try await enrol(anna))
    }

    static func recoveryCodes(in html: String) -> [String] {
        html.components(separatedBy: "<li><code>").dropFirst().compactMap { $0.components(separatedBy: "</code>").first }
    }

    static func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
        return String(text[from.upperBound..<to.lowerBound])
    }
}

@Suite struct TwoFactorEnrolmentTests {
    @Test("set-up shows a QR code as inline SVG and the key; a wrong code turns nothing on; the right one shows ten codes once and mails a notice")
    func enrol() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            let page = try await browser.get("/account/two-factor")
            let html = page.body.string
            #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""))
            #expect(html.contains("<title>QR code that adds anna@example.com at ADSapp to an authenticator app</title>"))
            try await app.runJobsUntilIdle()
            // A reload shows the same key: the person may be scanning it.
            #expect(
                TestApp.between(try await browser.get("/account/two-factor").body.string, "two-factor-secret\">", "<")
                    == TestApp.between(html, "two-factor-secret\">", "<"))

            let wrong = try await browser.post("/account/two-factor/confirm", ["code": "000000"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(wrong.body.string.contains("That code is not correct"))
            #expect(try await TwoFactorCredential.query(on: app.db).filter(\.$enabledAt != nil).count() == 0)

            let authenticator = try await app.enrol(browser)
            #expect(Set(authenticator.recoveryCodes).count == 10)
            #expect(authenticator.recoveryCodes.allSatisfy { RecoveryCodes.normalize($0) == $0 })
            let stored = try await TwoFactorRecoveryCode.query(on: app.db).all().map(\.codeHash)
            #expect(stored.count == 10)
            #expect(authenticator.recoveryCodes.allSatisfy { !stored.contains($0) }, "only hashes are stored")
            // The account page now says it is on and offers no new secret.
            let on = try await browser.get("/account/two-factor").body.string
            #expect(on.contains("data-testid=\"two-factor-on\""))
            #expect(!on.contains("two-factor-secret"))
            #expect(on.contains("You have 10 unused recovery codes."))

            try await app.runJobsUntilIdle()
            let mails = try await app.sentEmails(to: "anna@example.com").filter { $0.kind == "two-factor-on" }
            #expect(mails.count == 1)
            #expect(mails.first?.subject == "Two-factor sign-in was turned on")
        }
    }

    @Test("the secret is sealed at rest, bound to its person: another person's row does not open it")
    func secretSealed() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            let credential = try #require(try await TwoFactorCredential.query(on: app.db).first())
            let raw = Data(authenticator.totp.secret)
            #expect(credential.sealedSecret.range(of: raw) == nil)
            #expect(!String(decoding: credential.sealedSecret, as: UTF8.self).contains(Base32.encode(authenticator.totp.secret)))
            let vault = app.app.accountVault
            #expect(try await vault.open(credential.sealedSecret, for: credential.userID, purpose: .totpSecret, on: app.db) == authenticator.totp.secret)
            await #expect(throws: (any Error).self) {
                _ = try await vault.open(credential.sealedSecret, for: UUID(), purpose: .totpSecret, on: app.db)
            }
            #expect(try await PlatformKey.query(on: app.db).count() == 1)
        }
    }

    @Test("tabs confirming the same code at once: one turns it on and is shown the codes that work, the others are refused")
    func confirmRace() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let page = try await anna.get("/account/two-factor")
            let secretText = try #require(TestApp.between(page.body.string, "data-testid=\"two-factor-secret\">", "</code>"))
            let code = TwoFactor.TOTP(secret: try #require(Base32.decode(secretText))).code(at: app.clock.now)
            var tabs = [anna]
            for _ in 0..<3 { tabs.append(try await app.passwordStep(email: "anna@example.com").0) }
            let responses = try await withThrowingTaskGroup(of: TestingHTTPResponse.self) { group in
                for tab in tabs { group.addTask { try await tab.post("/account/two-factor/confirm", ["code": code]) } }
                return try await group.reduce(into: [TestingHTTPResponse]()) { $0.append($1) }
            }
            let shown = responses.filter { $0.status == .ok }
            #expect(shown.count == 1, "\(responses.map(\.status))")
            let codes = TestApp.recoveryCodes(in: shown.first?.body.string ?? "")
            let userID = try #require(try await User.query(on: app.db).filter(\.$email == "anna@example.com").first()?.requireID())
            let stored = try await TwoFactorRecoveryCode.query(on: app.db).all().map(\.codeHash)
            #expect(codes.count == 10)
            #expect(Set(codes.map { TwoFactorAccount.recoveryCodeHash($0, userID: userID) }) == Set(stored))
        }
    }

    @Test("the account page links to two-factor sign-in")
    func accountLink() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            #expect(try await browser.get("/account").body.string.contains("href=\"/account/two-factor\""))
        }
    }
}

@Suite struct TwoFactorSignInTests {
    @Test("after the password a person with two-factor gets no session, only the code page; the code signs them in")
    func secondStep() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 300)
            let (browser, password) = try await app.passwordStep(email: "anna@example.com")
            #expect(password.status == .seeOther)
            #expect(password.headers.first(name: .location) == "/signin/two-factor")
            #expect(browser.sessionToken == nil)
            #expect(browser.cookies[Cookies.twoFactorPending] != nil)
            #expect(browser.lastSetCookies[Cookies.twoFactorPending]?.isHTTPOnly == true)
            let pendingToken = try #require(browser.cookies[Cookies.twoFactorPending])
            #expect(try await PendingSignIn.query(on: app.db).first()?.tokenHash != pendingToken)
            // The pending cookie reaches nothing that needs a session.
            #expect(try await browser.get("/dashboard").headers.first(name: .location)?.hasPrefix("/signin") == true)
            #expect(try await browser.get("/account").headers.first(name: .location)?.hasPrefix("/signin") == true)
            #expect(try await browser.api(.GET, "/api/v1/me").status == .unauthorized)

            let page = try await browser.get("/signin/two-factor")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("autocomplete=\"one-time-code\""))
            let wrong = try await browser.secondStep("123456")
            #expect(wrong.status == .unauthorized)
            #expect(browser.sessionToken == nil)
            let right = try await browser.secondStep(authenticator.code(app))
            #expect(right.status == .seeOther)
            #expect(right.headers.first(name: .location) == "/dashboard")
            #expect(browser.sessionToken != nil)
            #expect(browser.cookies[Cookies.twoFactorPending] == nil)
            #expect(try await browser.get("/dashboard").status == .ok)
            #expect(try await PendingSignIn.query(on: app.db).count() == 0, "the pending sign-in is spent")
        }
    }

    @Test("a password reset leaves two-factor on: the new password leads to the code page, not in, and remembered devices are forgotten")
    func resetKeepsTheSecondStep() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 60)
            let (device, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await device.secondStep(authenticator.code(app), remember: true).status == .seeOther)
            #expect(try await RememberedDevice.query(on: app.db).count() == 1)

            let browser = app.browser()
            _ = try await browser.get("/password/forgot")
            _ = try await browser.post("/password/forgot", ["email": "anna@example.com"])
            let link = try await app.mailedPath(to: "anna@example.com", kind: "password-reset", containing: "/password/reset/")
            _ = try await browser.get(link)
            #expect(try await browser.post(link, ["password": PasswordResetTests.newPassword]).status == .seeOther)
            #expect(try await RememberedDevice.query(on: app.db).count() == 0, "the remembered device is forgotten")

            let signIn = app.browser()
            _ = try await signIn.get("/signin")
            let password = try await signIn.post("/signin", ["email": "anna@example.com", "password": PasswordResetTests.newPassword])
            #expect(password.headers.first(name: .location) == "/signin/two-factor")
            #expect(signIn.sessionToken == nil)
            app.clock.advance(by: 60)
            #expect(try await signIn.secondStep(authenticator.code(app)).headers.first(name: .location) == "/dashboard")
        }
    }

    @Test("codes of the step before and after are accepted; two steps away are not")
    func skew() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 600)
            let (browser, _) = try await app.passwordStep(email: "anna@example.com")
            for offset: Int64 in [-2, 2] {
                #expect(try await browser.secondStep(authenticator.code(app, steps: offset)).status == .unauthorized)
            }
            #expect(try await browser.secondStep(authenticator.code(app, steps: -1)).status == .seeOther)
            let (later, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await later.secondStep(authenticator.code(app, steps: 1)).status == .seeOther)
        }
    }

    @Test("a code that was used is refused, and an earlier one after it; two parallel sign-ins with one code: one gets in")
    func replay() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            // The code that turned it on is spent too.
            let (first, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await first.secondStep(authenticator.code(app)).status == .unauthorized)

            app.clock.advance(by: 300)
            let code = authenticator.code(app)
            #expect(try await first.secondStep(code).status == .seeOther)
            let (second, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await second.secondStep(code).status == .unauthorized)
            #expect(try await second.secondStep(authenticator.code(app, steps: -1)).status == .unauthorized)

            app.clock.advance(by: 300)
            let racing = authenticator.code(app)
            var browsers: [Browser] = []
            for _ in 0..<4 { browsers.append(try await app.passwordStep(email: "anna@example.com").0) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for browser in browsers { group.addTask { try await browser.secondStep(racing).status } }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses)")
            #expect(browsers.filter { $0.sessionToken != nil }.count == 1)
        }
    }

    @Test("a recovery code signs in once, in any spelling; then it is gone")
    func recoveryCode() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            let code = authenticator.recoveryCodes[3]
            let (browser, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(
                try await browser.secondStep(" " + code.uppercased().replacingOccurrences(of: "-", with: " ")).status == .seeOther)
            #expect(try await TwoFactorRecoveryCode.query(on: app.db).count() == 9)
            let (again, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await again.secondStep(code).status == .unauthorized)
            #expect(try await browser.get("/account/two-factor").body.string.contains("You have 9 unused recovery codes."))
        }
    }

    @Test("new recovery codes need the password and a code; the old ones stop working")
    func regenerate() async throws {
        try await TestApp.run { app in
            let (anna, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 300)
            let wrongPassword = try await anna.post("/account/two-factor/recovery-codes", ["password": "wrong-password-123", "code": authenticator.code(app)])
            #expect(wrongPassword.status == .unprocessableEntity)
            let wrongCode = try await anna.post("/account/two-factor/recovery-codes", ["password": TestApp.password, "code": "000000"])
            #expect(wrongCode.status == .unprocessableEntity)
            let made = try await anna.post("/account/two-factor/recovery-codes", ["password": TestApp.password, "code": authenticator.code(app)])
            #expect(made.status == .ok)
            let fresh = TestApp.recoveryCodes(in: made.body.string)
            #expect(fresh.count == 10 && Set(fresh).isDisjoint(with: authenticator.recoveryCodes))
            let (browser, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await browser.secondStep(authenticator.recoveryCodes[0]).status == .unauthorized)
            #expect(try await browser.secondStep(fresh[0]).status == .seeOther)
        }
    }

    @Test("a remembered device skips the code for 30 days, only for that person and browser")
    func rememberedDevice() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 300)
            let (browser, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await browser.secondStep(authenticator.code(app), remember: true).status == .seeOther)
            let device = try #require(browser.cookies[Cookies.rememberedDevice])
            #expect(browser.lastSetCookies[Cookies.rememberedDevice]?.maxAge == 30 * 24 * 3600)
            #expect(try await RememberedDevice.query(on: app.db).first()?.tokenHash != device)
            _ = try await browser.post("/signout")
            let skipped = try await app.passwordStep(email: "anna@example.com", browser: browser).1
            #expect(skipped.headers.first(name: .location) == "/dashboard")
            #expect(browser.sessionToken != nil)
            // Another browser still gets the code page.
            #expect(try await app.passwordStep(email: "anna@example.com").1.headers.first(name: .location) == "/signin/two-factor")
            // After 30 days the device is not remembered.
            _ = try await browser.post("/signout")
            app.clock.advance(by: 30 * 24 * 3600 + 1)
            #expect(try await app.passwordStep(email: "anna@example.com", browser: browser).1.headers.first(name: .location) == "/signin/two-factor")
        }
    }

    @Test("the maintenance job forgets expired pending sign-ins and remembered devices, and only those")
    func pruned() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 300)
            let (remembered, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await remembered.secondStep(authenticator.code(app), remember: true).status == .seeOther)
            _ = try await app.passwordStep(email: "anna@example.com")
            let prune = {
                try await app.app.backgroundJobs.store(app.db, app.app.context).enqueue([
                    try .init(PruneExpiredSessions.self, .init(absoluteTimeoutSeconds: 90 * 86_400, throttleWindowSeconds: 3600))
                ])
                try await app.runJobsUntilIdle()
            }
            try await prune()
            #expect(try await PendingSignIn.query(on: app.db).count() == 1)
            #expect(try await RememberedDevice.query(on: app.db).count() == 1)
            app.clock.advance(by: 10 * 60 + 1)
            try await prune()
            #expect(try await PendingSignIn.query(on: app.db).count() == 0)
            #expect(try await RememberedDevice.query(on: app.db).count() == 1)
            app.clock.advance(by: 30 * 24 * 3600)
            try await prune()
            #expect(try await RememberedDevice.query(on: app.db).count() == 0)
        }
    }

    @Test("turning two-factor off needs the password and a code, forgets remembered devices and mails a notice")
    func disable() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 300)
            let (browser, _) = try await app.passwordStep(email: "anna@example.com")
            _ = try await browser.secondStep(authenticator.code(app), remember: true)
            #expect(try await RememberedDevice.query(on: app.db).count() == 1)
            #expect(try await browser.post("/account/two-factor/disable", ["password": TestApp.password, "code": "000000"]).status == .unprocessableEntity)
            let off = try await browser.post("/account/two-factor/disable", ["password": TestApp.password, "code": authenticator.recoveryCodes[0]])
            #expect(off.status == .seeOther)
            #expect(off.headers.first(name: .location) == "/account/two-factor?notice=disabled")
            #expect(try await RememberedDevice.query(on: app.db).count() == 0)
            #expect(try await TwoFactorCredential.query(on: app.db).count() == 0)
            #expect(try await TwoFactorRecoveryCode.query(on: app.db).count() == 0)
            #expect(try await app.passwordStep(email: "anna@example.com").1.headers.first(name: .location) == "/dashboard")
            try await app.runJobsUntilIdle()
            #expect(try await app.sentEmails(to: "anna@example.com").map(\.kind).contains("two-factor-off"))
        }
    }

    @Test("a password change and sign out everywhere forget remembered devices")
    func devicesForgotten() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            for (step, action) in [("everywhere", "/account/signout-everywhere"), ("password", "/account/password")].enumerated() {
                app.clock.advance(by: 300)
                let (browser, _) = try await app.passwordStep(email: "anna@example.com")
                #expect(try await browser.secondStep(authenticator.code(app), remember: true).status == .seeOther)
                #expect(try await RememberedDevice.query(on: app.db).count() == 1, "\(step)")
                let fields = action.1 == "/account/password" ? ["current_password": TestApp.password, "new_password": TestApp.password] : [:]
                #expect(try await browser.post(action.1, fields).status == .seeOther)
                #expect(try await RememberedDevice.query(on: app.db).count() == 0, "\(action.0) forgets the device")
            }
        }
    }

    @Test("the next page survives the second step when it is ours; a foreign one becomes the dashboard")
    func nextKept() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 300)
            let (browser, _) = try await app.passwordStep(email: "anna@example.com", next: "/inbox?q=a%26b")
            #expect(try await browser.secondStep(authenticator.code(app)).headers.first(name: .location) == "/inbox?q=a%26b")
            app.clock.advance(by: 300)
            let (other, _) = try await app.passwordStep(email: "anna@example.com", next: "//evil.example/")
            #expect(try await other.secondStep(authenticator.code(app)).headers.first(name: .location) == "/dashboard")
        }
    }

    @Test("a pending sign-in expires after 10 minutes and works only in the browser that typed the password")
    func pendingBinding() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 300)
            let (browser, _) = try await app.passwordStep(email: "anna@example.com")
            // The pending cookie copied into another browser (with its own CSRF cookie) is worth nothing.
            let thief = app.browser()
            _ = try await thief.get("/signin")
            thief.cookies[Cookies.twoFactorPending] = browser.cookies[Cookies.twoFactorPending]
            let stolen = try await thief.secondStep(authenticator.code(app))
            #expect(stolen.headers.first(name: .location) == "/signin?notice=expired")
            #expect(thief.sessionToken == nil)

            app.clock.advance(by: 10 * 60 + 1)
            #expect(try await browser.get("/signin/two-factor").headers.first(name: .location) == "/signin?notice=expired")
            let late = try await browser.secondStep(authenticator.code(app))
            #expect(late.headers.first(name: .location) == "/signin?notice=expired")
            #expect(browser.sessionToken == nil)
        }
    }

    @Test("codes are throttled like passwords: counted before they are checked, per account, and a correct password buys no more guesses")
    func throttled() async throws {
        try await TestApp.run { app in
            let (_, authenticator) = try await app.annaWithTwoFactor()
            app.clock.advance(by: 300)
            for attempt in 0..<5 {
                // A fresh password step each time: the password budget resets, the code budget does not.
                let (browser, _) = try await app.passwordStep(email: "anna@example.com")
                #expect(try await browser.secondStep(String(format: "%06d", attempt)).status == .unauthorized)
            }
            let (browser, _) = try await app.passwordStep(email: "anna@example.com")
            let blocked = try await browser.secondStep(authenticator.code(app))
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: .retryAfter) != nil)
            #expect(browser.sessionToken == nil)
            app.clock.advance(by: 15 * 60 + 1)
            let (later, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await later.secondStep(authenticator.code(app)).status == .seeOther)
        }
    }

    @Test("every new form needs its CSRF token")
    func csrf() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            for path in ["/account/two-factor/confirm", "/account/two-factor/recovery-codes", "/account/two-factor/disable", "/settings/security"] {
                #expect(try await anna.post(path, ["code": "123456"], includeCSRF: false).status == .forbidden, "\(path)")
                #expect(try await anna.post(path, ["code": "123456"], csrf: "forged-token-forged-token-forged-token-xx").status == .forbidden, "\(path)")
            }
            let (browser, _) = try await app.passwordStep(email: "anna@example.com")
            #expect(try await browser.post("/signin/two-factor", ["code": "123456"], includeCSRF: false).status == .forbidden)
        }
    }
}

@Suite struct TwoFactorRequirementTests {
    @Test("an Owner requires two-factor: members without it are sent to set it up (pages) or refused (API), account pages stay open")
    func requirement() async throws {
        try await TestApp.run { app in
            let owner = try await app.signUp(name: "Olga", organization: "Secure BV", email: "olga@example.com")
            let organization = try await app.organization(named: "Secure BV")
            // Not before the Owner has it.
            let early = try await owner.post("/settings/security", ["require_two_factor": "1"])
            #expect(early.status == .unprocessableEntity)
            #expect(early.body.string.contains("Turn on two-factor sign-in for your own account first."))
            _ = try await app.enrol(owner)
            #expect(try await owner.post("/settings/security", ["require_two_factor": "1"]).status == .seeOther)
            #expect(try await app.organization(named: "Secure BV").twoFactorRequiredAt != nil)

            let agent = try await app.signUp(name: "Gert", organization: "Gert's own", email: "gert@example.com")
            _ = try await app.addMember(email: "gert@example.com", to: organization.id!, role: .agent)
            // An Agent may see the setting but not change it.
            #expect(try await agent.post("/organizations/switch", ["organization_id": organization.id!.uuidString]).status == .seeOther)
            let dashboard = try await agent.get("/dashboard")
            #expect(dashboard.status == .seeOther)
            #expect(dashboard.headers.first(name: .location) == "/account/two-factor?required=1")
            let api = try await agent.api(.GET, "/api/v1/me")
            #expect(api.status == .forbidden)
            #expect(api.body.string.contains("\"code\":\"two_factor_required\""))
            let explained = try await agent.get("/account/two-factor?required=1")
            #expect(explained.status == .ok)
            #expect(explained.body.string.contains("requires two-factor sign-in"))
            #expect(try await agent.get("/account").status == .ok)
            #expect(try await agent.post("/settings/security", ["require_two_factor": ""]).headers.first(name: .location) == "/account/two-factor?required=1")
            // Set up, and in.
            _ = try await app.enrol(agent)
            #expect(try await agent.get("/dashboard").status == .ok)
            #expect(try await agent.post("/settings/security", ["require_two_factor": ""]).status == .forbidden)
            // The Owner's own organization page shows it; turning it off lets everyone in again.
            #expect(try await owner.get("/settings/security").body.string.contains("checked"))
            #expect(try await owner.post("/settings/security", [:]).status == .seeOther)
            #expect(try await app.organization(named: "Secure BV").twoFactorRequiredAt == nil)
        }
    }
}
