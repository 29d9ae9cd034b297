@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite struct PasswordResetTests {
    static let password = "correct-horse-battery-staple-42"
    static let newPassword = "a-brand-new-passphrase-7"

    @Test("reset end to end: the link sets a new password, ends every session and other links, and mails a notice")
    func resetEndToEnd() async throws {
        try await TestApp.run { app in
            let elsewhere = try await app.signUp(email: "anna@example.com")
            let signIn = try await app.browser().get("/signin")
            #expect(signIn.body.string.contains("href=\"/password/forgot\""))
            let browser = app.browser()
            _ = try await browser.get("/password/forgot")
            let asked = try await browser.post("/password/forgot", ["email": "Anna@Example.com"])
            #expect(asked.headers.first(name: .location) == "/password/forgot?notice=sent")
            let first = try await app.mailedPath(to: "anna@example.com", kind: "password-reset", containing: "/password/reset/")
            app.clock.advance(by: 1)  // the outbox orders by time: the second email is the newer one
            _ = try await browser.post("/password/forgot", ["email": "anna@example.com"])
            let second = try await app.mailedPath(to: "anna@example.com", kind: "password-reset", containing: "/password/reset/")
            #expect(first != second)
            let form = try await browser.get(second)
            #expect(form.status == .ok)
            #expect(form.body.string.contains("reset-form"))
            let weak = try await browser.post(second, ["password": "short"])
            #expect(weak.status == .unprocessableEntity)
            let done = try await browser.post(second, ["password": Self.newPassword])
            #expect(done.headers.first(name: .location) == "/signin?notice=password_reset")
            #expect(try await elsewhere.get("/dashboard").status == .seeOther, "the other session ended")
            #expect(try await UserSession.query(on: app.db).count() == 0)
            #expect(try await browser.get(second).status == .notFound, "used")
            #expect(try await browser.get(first).status == .notFound, "the other outstanding link ended too")
            let changed = try await app.lastEmail(to: "anna@example.com", kind: "password-changed")
            #expect(changed.subject == "Your password was changed")
            let old = app.browser()
            _ = try await old.get("/signin")
            #expect(try await old.post("/signin", ["email": "anna@example.com", "password": Self.password]).status == .unauthorized)
            #expect(try await old.post("/signin", ["email": "anna@example.com", "password": Self.newPassword]).status == .seeOther)
        }
    }

    @Test("an unknown address gets the same answer and no email")
    func unknownAddress() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let browser = app.browser()
            _ = try await browser.get("/password/forgot")
            let known = try await browser.post("/password/forgot", ["email": "anna@example.com"])
            let unknown = try await browser.post("/password/forgot", ["email": "nobody@example.com"])
            #expect(known.status == unknown.status)
            #expect(known.headers.first(name: .location) == unknown.headers.first(name: .location))
            #expect(known.body.string == unknown.body.string)
            try await app.runJobsUntilIdle()
            #expect(try await app.sentEmails(to: "nobody@example.com").isEmpty)
            let page = try await browser.get("/password/forgot?notice=sent")
            #expect(page.body.string.contains("If an account uses that address"))
        }
    }

    @Test("a reset link expires after an hour")
    func expires() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let browser = app.browser()
            _ = try await browser.get("/password/forgot")
            _ = try await browser.post("/password/forgot", ["email": "anna@example.com"])
            let path = try await app.mailedPath(to: "anna@example.com", kind: "password-reset", containing: "/password/reset/")
            app.clock.advance(by: 3601)
            #expect(try await browser.get(path).status == .notFound)
            #expect(try await browser.post(path, ["password": Self.newPassword]).status == .notFound)
        }
    }

    @Test("reset requests are throttled per address asked for and per client address, whether or not the address exists")
    func throttled() async throws {
        try await TestApp.run { app in
            let browser = app.browser()
            _ = try await browser.get("/password/forgot")
            for _ in 0..<3 {
                #expect(try await browser.post("/password/forgot", ["email": "nobody@example.com"]).status == .seeOther)
            }
            let refused = try await browser.post("/password/forgot", ["email": "nobody@example.com"])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers.first(name: .retryAfter) != nil)
            for index in 0..<17 {
                #expect(try await browser.post("/password/forgot", ["email": "walk\(index)@example.com"]).status == .seeOther)
            }
            #expect(try await browser.post("/password/forgot", ["email": "walk-last@example.com"]).status == .tooManyRequests)
        }
    }
}
