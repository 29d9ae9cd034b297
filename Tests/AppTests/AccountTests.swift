@testable import App
import ADSappCore
import Fluent
import SQLKit
import Testing
import Vapor

@Suite struct SignUpTests {
    @Test("sign-up creates the person, their organization as Owner, and a session")
    func createsEverything() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "anna@example.com").first())
            #expect(user.passwordHash.hasPrefix("$2"))
            #expect(user.passwordHash != "correct-horse-battery-staple-42")
            let organization = try await app.organization(named: "Bakkerij Anna")
            let membership = try #require(try await Membership.query(on: app.db).filter(\.$user.$id == user.id!).first())
            #expect(membership.organizationID == organization.id)
            #expect(membership.role == .owner)
            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.body.string.contains("Bakkerij Anna"))
        }
    }

    @Test("the session cookie is HttpOnly, SameSite=Lax, random, and not Secure on plain-http loopback")
    func cookieOnLoopback() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            let cookie = try #require(browser.lastSetCookies[Cookies.session])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            #expect(!cookie.isSecure)
            #expect(cookie.string.count >= 43)  // 32 random bytes, base64url
            let stored = try #require(try await UserSession.query(on: app.db).first())
            #expect(stored.tokenHash != cookie.string, "only a hash of the token is stored")
        }
    }

    @Test("behind https the session cookie is Secure and HSTS is sent")
    func cookieOnHTTPS() async throws {
        try await TestApp.run(variables: ["APP_URL": "https://inbox.example.com"]) { app in
            let browser = try await app.signUp(email: "anna@example.com")
            #expect(try #require(browser.lastSetCookies[Cookies.session]).isSecure)
            let page = try await browser.get("/dashboard")
            #expect(page.headers.first(name: "Strict-Transport-Security")?.contains("max-age=") == true)
        }
    }

    @Test("invalid input shows every problem in the user's language and creates nothing")
    func invalidInput() async throws {
        try await TestApp.run { app in
            let browser = app.browser(acceptLanguage: "nl-NL,nl;q=0.9")
            _ = try await browser.get("/signup")
            let response = try await browser.post("/signup", ["name": " ", "organization": "", "email": "not-an-email", "password": "short"])
            #expect(response.status == .unprocessableEntity)
            let html = response.body.string
            #expect(html.contains("Vul dit veld in."))
            #expect(html.contains("Vul een e-mailadres in"))
            #expect(html.contains("Gebruik minstens 10 tekens."))
            #expect(html.contains("value=\"not-an-email\""), "what was typed is kept")
            #expect(try await User.query(on: app.db).count() == 0)
            #expect(try await Organization.query(on: app.db).count() == 0)
        }
    }

    @Test("an email address can have one account; case does not make a second, and the answer does not tell")
    func duplicateEmail() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let browser = app.browser()
            _ = try await browser.get("/signup")
            let response = try await browser.post(
                "/signup", ["name": "Other", "organization": "Other BV", "email": "ANNA@example.com", "password": "another-long-passphrase"])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/signin?notice=signup_sent")
            #expect(browser.sessionToken == nil)
            #expect(try await Organization.query(on: app.db).count() == 1)
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }
}

@Suite struct SignInTests {
    @Test("signing in gives a new session id each time (no fixation), and the old one stops working")
    func newSessionPerSignIn() async throws {
        try await TestApp.run { app in
            let first = try await app.signUp(email: "anna@example.com")
            let oldToken = try #require(first.sessionToken)
            let response = try await first.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42"])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/dashboard")
            let newToken = try #require(first.sessionToken)
            #expect(newToken != oldToken)
            let stale = app.browser()
            stale.cookies[Cookies.session] = oldToken
            #expect(try await stale.get("/dashboard").status == .seeOther)
        }
    }

    @Test("a wrong password and an unknown email get the same answer")
    func wrongPassword() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let browser = app.browser()
            _ = try await browser.get("/signin")
            let wrong = try await browser.post("/signin", ["email": "anna@example.com", "password": "wrong-password-123"])
            let unknown = try await browser.post("/signin", ["email": "nobody@example.com", "password": "wrong-password-123"])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.body.string.contains("The email address or password is incorrect."))
            #expect(unknown.body.string.contains("The email address or password is incorrect."))
            #expect(browser.sessionToken == nil)
        }
    }

    @Test("after 5 failures the account is locked for the window, even with the right password")
    func throttlePerAccount() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let attacker = app.browser()
            _ = try await attacker.get("/signin")
            for _ in 0..<5 {
                #expect(try await attacker.post("/signin", ["email": "anna@example.com", "password": "guess-guess-guess"]).status == .unauthorized)
            }
            let owner = app.browser()
            _ = try await owner.get("/signin")
            let blocked = try await owner.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42"])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("Too many failed attempts"))
            #expect(owner.sessionToken == nil)

            app.clock.advance(by: 15 * 60 + 1)
            let later = try await owner.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42"])
            #expect(later.status == .seeOther)
        }
    }

    @Test("one address guessing across many accounts is throttled per address")
    func throttlePerAddress() async throws {
        try await TestApp.run { app in
            let policy = LoginThrottlePolicy(window: 900, maxFailuresPerAccount: 5, maxFailuresPerAddress: 3)
            let sql = try #require(app.db as? any SQLDatabase)
            let throttle = Throttle(database: sql, now: app.clock.now)
            let address = IPAddress("192.0.2.7")
            func attempt(_ email: String, from address: IPAddress?, _ throttle: Throttle = throttle) async throws -> Throttle.Reservation? {
                if case .reserved(let reservation) = try await throttle.reserve(Throttle.Budget.passwordGuesses(email: email, address: address, policy)) {
                    return reservation
                }
                return nil
            }
            var first: Throttle.Reservation?
            for index in 0..<3 {
                let reservation = try await attempt("user\(index)@example.com", from: address)
                #expect(reservation != nil)
                if index == 0 { first = reservation }
            }
            #expect(try await attempt("fresh@example.com", from: address) == nil)
            #expect(try await attempt("fresh@example.com", from: IPAddress("192.0.2.8")) != nil)
            #expect(try await attempt("fresh@example.com", from: address) == nil, "a refused attempt takes nothing, and still nothing is left")
            try await #require(first).succeeded()
            #expect(try await attempt("fresh@example.com", from: address) != nil, "a success gives back its own attempt only")
            #expect(try await attempt("fresh@example.com", from: address) == nil)
            let later = Throttle(database: sql, now: app.clock.now.addingTimeInterval(901))
            #expect(try await attempt("fresh@example.com", from: address, later) != nil)
        }
    }

    @Test("IPv6 clients are counted per /64, since one subscriber holds the whole block")
    func ipv6PerPrefix() {
        #expect(Throttle.subject(IPAddress("2001:db8:1:2::1")) == Throttle.subject(IPAddress("2001:db8:1:2:ffff::9")))
        #expect(Throttle.subject(IPAddress("2001:db8:1:2::1")) != Throttle.subject(IPAddress("2001:db8:1:3::1")))
        #expect(Throttle.subject(IPAddress("::ffff:192.0.2.7")) == "192.0.2.7")
        #expect(Throttle.subject(nil) == "unknown")
    }

    @Test(
        "a next= target is followed only when it stays on this site",
        arguments: [
            ("/settings/members", "/settings/members"),
            ("//evil.example/steal", "/dashboard"),
            ("https://evil.example", "/dashboard"),
            ("/\\evil.example", "/dashboard"),
        ])
    func nextTarget(_ next: String, _ expected: String) async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let browser = app.browser()
            _ = try await browser.get("/signin")
            let response = try await browser.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42", "next": next])
            #expect(response.headers.first(name: .location) == expected)
        }
    }
}

@Suite struct SessionTests {
    @Test("signing out ends the session on the server, not only the cookie")
    func signOut() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            let token = try #require(browser.sessionToken)
            let response = try await browser.post("/signout")
            #expect(response.headers.first(name: .location) == "/signin?notice=signed_out")
            #expect(browser.sessionToken == nil)
            let replay = app.browser()
            replay.cookies[Cookies.session] = token
            #expect(try await replay.get("/dashboard").status == .seeOther)
            #expect(try await UserSession.query(on: app.db).count() == 0)
        }
    }

    @Test("a session ends after the idle timeout")
    func idleTimeout() async throws {
        try await TestApp.run(variables: ["SESSION_IDLE_TIMEOUT_MINUTES": "30"]) { app in
            let browser = try await app.signUp(email: "anna@example.com")
            app.clock.advance(by: 29 * 60)
            #expect(try await browser.get("/dashboard").status == .ok, "activity keeps it alive")
            app.clock.advance(by: 29 * 60)
            #expect(try await browser.get("/dashboard").status == .ok)
            app.clock.advance(by: 31 * 60)
            let response = try await browser.get("/dashboard")
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location)?.hasPrefix("/signin") == true)
            #expect(try await UserSession.query(on: app.db).count() == 0, "the expired session is deleted")
        }
    }

    @Test("a session ends after the absolute timeout, however active")
    func absoluteTimeout() async throws {
        try await TestApp.run(variables: ["SESSION_ABSOLUTE_TIMEOUT_HOURS": "2"]) { app in
            let browser = try await app.signUp(email: "anna@example.com")
            for _ in 0..<7 {
                app.clock.advance(by: 15 * 60)
                #expect(try await browser.get("/dashboard").status == .ok)
            }
            app.clock.advance(by: 16 * 60)
            #expect(try await browser.get("/dashboard").status == .seeOther)
        }
    }

    @Test("sign out everywhere ends every other session and keeps this one")
    func signOutEverywhere() async throws {
        try await TestApp.run { app in
            let laptop = try await app.signUp(email: "anna@example.com")
            let phone = app.browser()
            _ = try await phone.get("/signin")
            _ = try await phone.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42"])
            #expect(try await phone.get("/dashboard").status == .ok)
            let response = try await laptop.post("/account/signout-everywhere")
            #expect(response.status == .seeOther)
            #expect(try await laptop.get("/dashboard").status == .ok)
            #expect(try await phone.get("/dashboard").status == .seeOther)
        }
    }

    @Test("changing the password needs the current one, checks the policy and ends other sessions")
    func changePassword() async throws {
        try await TestApp.run { app in
            let laptop = try await app.signUp(email: "anna@example.com")
            let phone = app.browser()
            _ = try await phone.get("/signin")
            _ = try await phone.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42"])

            let wrongCurrent = try await laptop.post("/account/password", ["current_password": "nope-nope-nope", "new_password": "a-brand-new-passphrase"])
            #expect(wrongCurrent.status == .unprocessableEntity)
            #expect(wrongCurrent.body.string.contains("Your current password is not correct."))
            let weak = try await laptop.post("/account/password", ["current_password": "correct-horse-battery-staple-42", "new_password": "password123"])
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.body.string.contains("too common"))

            let ok = try await laptop.post(
                "/account/password", ["current_password": "correct-horse-battery-staple-42", "new_password": "a-brand-new-passphrase"])
            #expect(ok.headers.first(name: .location) == "/account?notice=password_changed")
            #expect(try await laptop.get("/dashboard").status == .ok)
            #expect(try await phone.get("/dashboard").status == .seeOther)

            let fresh = app.browser()
            _ = try await fresh.get("/signin")
            #expect(try await fresh.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42"]).status == .unauthorized)
            #expect(try await fresh.post("/signin", ["email": "anna@example.com", "password": "a-brand-new-passphrase"]).status == .seeOther)
        }
    }
}

@Suite struct CSRFTests {
    @Test("a signed-in form without the token, or with another session's token, is refused and changes nothing")
    func signedInForms() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let bob = try await app.signUp(name: "Bob", organization: "Bob BV", email: "bob@example.com")
            let missing = try await anna.post("/organizations/new", ["name": "Forged"], includeCSRF: false)
            #expect(missing.status == .forbidden)
            _ = try await bob.get("/dashboard")
            let bobsToken = try #require(bob.csrfToken)
            let foreign = try await anna.post("/organizations/new", ["name": "Forged"], csrf: bobsToken)
            #expect(foreign.status == .forbidden)
            #expect(foreign.body.string.contains("No access"))
            #expect(try await Organization.query(on: app.db).filter(\.$name == "Forged").count() == 0)
            #expect(try await anna.post("/organizations/new", ["name": "Real"]).status == .seeOther)
        }
    }

    @Test("sign-in and sign-up forms need the anonymous token from the CSRF cookie")
    func anonymousForms() async throws {
        try await TestApp.run { app in
            let browser = app.browser()
            let noCookie = try await browser.post(
                "/signup", ["name": "A", "organization": "B", "email": "a@example.com", "password": "long-enough-pass"],
                csrf: "made-up-token-made-up-token-made-up-token")
            #expect(noCookie.status == .forbidden)
            _ = try await browser.get("/signup")
            #expect(browser.cookies[Cookies.csrf] != nil)
            #expect(browser.cookies[Cookies.csrf] == browser.csrfToken)
            let wrong = try await browser.post(
                "/signup", ["name": "A", "organization": "B", "email": "a@example.com", "password": "long-enough-pass"], csrf: "x")
            #expect(wrong.status == .forbidden)
            #expect(try await User.query(on: app.db).count() == 0)
        }
    }

    @Test("API changes with a session cookie need the X-CSRF-Token header")
    func apiHeader() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            let organization = try await app.organization(named: "Bakkerij Anna")
            try await app.signUp(name: "Bob", organization: "Bob BV", email: "bob@example.com")
            let bob = try await app.addMember(email: "bob@example.com", to: organization.id!, role: .agent)
            let refused = try await anna.api(.PATCH, "/api/v1/members/\(bob.id!)", json: #"{"role":"admin"}"#, csrfHeader: false)
            #expect(refused.status == .forbidden)
            #expect(refused.body.string.contains(#""code":"csrf_failed""#))
            #expect(try await anna.api(.PATCH, "/api/v1/members/\(bob.id!)", json: #"{"role":"admin"}"#).status == .ok)
        }
    }
}

@Suite struct AnonymousCSRFCookieTests {
    @Test("an error page gives a first-time visitor a working language switch")
    func errorPageIssuesCookie() async throws {
        try await TestApp.run { app in
            let visitor = app.browser()
            let page = try await visitor.get("/no-such-page")
            #expect(page.status == .notFound)
            #expect(visitor.cookies[Cookies.csrf] != nil)
            #expect(visitor.cookies[Cookies.csrf] == visitor.csrfToken)
            let switched = try await visitor.post("/language", ["language": "nl", "return_to": "/signin"])
            #expect(switched.status == .seeOther)
            #expect(try await visitor.get("/signin").body.string.contains("<html lang=\"nl\">"))
        }
    }
}
