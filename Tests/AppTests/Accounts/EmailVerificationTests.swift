@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite struct EmailVerificationTests {
    static let password = "correct-horse-battery-staple-42"

    @Test("sign-up mails a verification link; the account works before it; the link verifies once")
    func verifyAfterSignUp() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            let account = try await browser.get("/account")
            #expect(account.body.string.contains("Your email address is not confirmed yet."))
            let path = try await app.mailedPath(to: "anna@example.com", kind: "verify-email", containing: "/email/verify/")
            let stored = try #require(try await AccountToken.query(on: app.db).first())
            #expect(stored.tokenHash == sha256Hex(String(path.dropFirst("/email/verify/".count))))
            let verified = try await browser.get(path)
            #expect(verified.headers.first(name: .location) == "/account?notice=email_verified")
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "anna@example.com").first())
            #expect(user.emailVerifiedAt == app.clock.now)
            let after = try await browser.get("/account?notice=email_verified")
            #expect(after.body.string.contains("Your email address is confirmed."))
            #expect(!after.body.string.contains("verification-form"))
            let reused = try await app.browser().get(path)
            #expect(reused.status == .notFound)
        }
    }

    @Test("a verification link expires")
    func expires() async throws {
        try await TestApp.run(variables: ["EMAIL_VERIFICATION_TTL_SECONDS": "120"]) { app in
            try await app.signUp(email: "anna@example.com")
            let path = try await app.mailedPath(to: "anna@example.com", kind: "verify-email", containing: "/email/verify/")
            app.clock.advance(by: 121)
            #expect(try await app.browser().get(path).status == .notFound)
            #expect(try await User.query(on: app.db).filter(\.$email == "anna@example.com").first()?.emailVerifiedAt == nil)
        }
    }

    @Test("resend from the account page sends a new link, at most three an hour")
    func resendThrottled() async throws {
        try await TestApp.run { app in
            let browser = try await app.signUp(email: "anna@example.com")
            _ = try await browser.get("/account")
            for _ in 0..<3 {
                let sent = try await browser.post("/account/verification")
                #expect(sent.headers.first(name: .location) == "/account?notice=verification_sent")
            }
            let throttled = try await browser.post("/account/verification")
            #expect(throttled.headers.first(name: .location) == "/account?notice=verification_throttled")
            try await app.runJobsUntilIdle()
            #expect(try await app.sentEmails(to: "anna@example.com").filter { $0.kind == "verify-email" }.count == 4)
        }
    }

    @Test("sign-up with a taken address answers exactly like a new one and mails the owner instead")
    func takenAddressAnswersTheSame() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let fresh = app.browser()
            _ = try await fresh.get("/signup")
            let new = try await fresh.post(
                "/signup", ["name": "Kees", "organization": "Kees BV", "email": "kees@example.com", "password": "another-long-passphrase"])
            let taken = app.browser()
            _ = try await taken.get("/signup")
            let existing = try await taken.post(
                "/signup", ["name": "Other", "organization": "Other BV", "email": "ANNA@example.com", "password": "another-long-passphrase"])
            #expect(new.status == existing.status)
            #expect(new.status == .seeOther)
            #expect(new.headers.first(name: .location) == existing.headers.first(name: .location))
            #expect(new.headers[.setCookie].isEmpty && existing.headers[.setCookie].isEmpty, "no session either way")
            #expect(new.body.string == existing.body.string)
            #expect(try await Organization.query(on: app.db).filter(\.$name == "Other BV").count() == 0)
            let warning = try await app.lastEmail(to: "anna@example.com", kind: "sign-up-attempt")
            #expect(warning.links.contains { $0.hasSuffix("/password/forgot") })
            #expect(try await app.sentEmails(to: "kees@example.com").map(\.kind) == ["verify-email"])
            // The new account works at once with its password.
            let signIn = try await fresh.post("/signin", ["email": "kees@example.com", "password": "another-long-passphrase"])
            #expect(signIn.headers.first(name: .location) == "/dashboard")
            let notice = try await app.browser().get("/signin?notice=signup_sent")
            #expect(notice.body.string.contains("you can sign in right away"))
        }
    }
}
