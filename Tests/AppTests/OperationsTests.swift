@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite struct HealthTests {
    @Test func healthAndReady() async throws {
        try await TestApp.run { app in
            let health = try await app.browser().get("/health")
            #expect(health.status == .ok)
            #expect(health.body.string == #"{"status":"ok"}"#)
            let ready = try await app.browser().get("/ready")
            #expect(ready.status == .ok)
            #expect(ready.body.string.contains(#""status":"ready""#))
        }
    }

    @Test("/ready answers 503 and names what is missing while migrations are pending")
    func notReadyWithPendingMigrations() async throws {
        try await TestApp.run(migrate: false) { app in
            try await app.app.migrator.setupIfNeeded().get()
            let ready = try await app.browser().get("/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.body.string.contains("pending migrations"))
            #expect(ready.body.string.contains("CreateUsers"))
            try await app.app.autoMigrate()
            #expect(try await app.browser().get("/ready").status == .ok)
        }
    }

    @Test("with AUTO_MIGRATE=false the app starts without migrating and /ready says what is pending")
    func noMigrationsWhenAutoMigrateIsOff() async throws {
        try await TestApp.run(variables: ["AUTO_MIGRATE": "false"]) { app in
            try await app.app.migrator.setupIfNeeded().get()
            let ready = try await app.browser().get("/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.body.string.contains("CreateUsers"))
        }
    }
}

@Suite struct SecurityHeaderTests {
    @Test("pages forbid inline scripts and framing; no HSTS over plain http")
    func headers() async throws {
        try await TestApp.run { app in
            let page = try await app.browser().get("/signin")
            let csp = try #require(page.headers.first(name: "Content-Security-Policy"))
            #expect(csp.contains("script-src 'self'"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(page.headers.first(name: "X-Frame-Options") == "DENY")
            #expect(page.headers.first(name: .cacheControl) == "no-store")
            #expect(page.headers.first(name: "Strict-Transport-Security") == nil)
            #expect(!page.body.string.contains("<script"), "no inline or external scripts yet")
            #expect(!page.body.string.contains("style=\""), "no inline styles (CSP style-src 'self')")
        }
    }

    @Test("a request id is on every response; a well-formed incoming one is kept")
    func requestID() async throws {
        try await TestApp.run { app in
            let browser = app.browser()
            let generated = try await browser.get("/health")
            #expect(generated.headers.first(name: "X-Request-ID")?.isEmpty == false)
            let kept = try await browser.get("/health", headers: ["X-Request-ID": "lb-1234_abc"])
            #expect(kept.headers.first(name: "X-Request-ID") == "lb-1234_abc")
            let replaced = try await browser.get("/health", headers: ["X-Request-ID": "bad id\nwith newline"])
            #expect(replaced.headers.first(name: "X-Request-ID") != "bad id\nwith newline")
        }
    }

    @Test("the stylesheet is served with an ETag and revalidates")
    func stylesheet() async throws {
        try await TestApp.run { app in
            let css = try await app.browser().get("/assets/app.css")
            #expect(css.status == .ok)
            #expect(css.headers.first(name: .contentType) == "text/css; charset=utf-8")
            let etag = try #require(css.headers.first(name: .eTag))
            #expect(try await app.browser().get("/assets/app.css", headers: ["If-None-Match": etag]).status == .notModified)
        }
    }
}

@Suite struct ErrorPageTests {
    @Test(
        "a missing page is a friendly 404 in the reader's language",
        arguments: [
            ("en-GB,en;q=0.8", "Page not found"), ("nl-NL,nl;q=0.9", "Pagina niet gevonden"),
        ])
    func notFound(_ acceptLanguage: String, _ title: String) async throws {
        try await TestApp.run { app in
            let response = try await app.browser(acceptLanguage: acceptLanguage).get("/no-such-page")
            #expect(response.status == .notFound)
            #expect(response.headers.first(name: .contentType) == "text/html; charset=utf-8")
            #expect(response.body.string.contains(title))
        }
    }

    @Test("a server error shows a reference but never the error itself")
    func serverError() async throws {
        struct Secret: Error, CustomStringConvertible { var description: String { "database password is hunter2" } }
        try await TestApp.run { app in
            app.app.get("boom") { _ -> String in throw Secret() }
            let response = try await app.browser(acceptLanguage: "nl").get("/boom")
            #expect(response.status == .internalServerError)
            #expect(response.body.string.contains("Er ging bij ons iets mis"))
            #expect(response.body.string.contains("Kenmerk:"))
            #expect(!response.body.string.contains("hunter2"))
        }
    }

    @Test("a viewer cannot change roles, but may leave")
    func viewerLimits() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            let viewer = try await app.signUp(name: "Vera", organization: "Vera BV", email: "vera@example.com")
            let organization = try await app.organization(named: "Bakkerij Anna")
            let membership = try await app.addMember(email: "vera@example.com", to: organization.id!, role: .viewer)
            _ = try await viewer.get("/dashboard")
            _ = try await viewer.post("/organizations/switch", ["organization_id": organization.id!.uuidString])
            let owner = try #require(try await Membership.query(on: app.db).filter(\.$organizationID == organization.id!).filter(\.$role == .owner).first())
            let refused = try await viewer.api(.PATCH, "/api/v1/members/\(owner.id!)", json: #"{"role":"viewer"}"#)
            #expect(refused.status == .forbidden)
            #expect(refused.body.string.contains(#""code":"not_allowed""#))
            let response = try await viewer.api(.DELETE, "/api/v1/members/\(membership.id!)")
            #expect(response.status == .noContent, "leaving is always allowed")
        }
    }
}

@Suite struct LanguageTests {
    @Test("the browser's language is used until the person chooses one; the choice sticks to the account")
    func preference() async throws {
        try await TestApp.run { app in
            let anonymous = app.browser(acceptLanguage: "nl-BE,nl;q=0.9,en;q=0.5")
            let signIn = try await anonymous.get("/signin")
            #expect(signIn.body.string.contains("<html lang=\"nl\">"))
            #expect(signIn.body.string.contains("Aanmelden"))

            let anna = try await app.signUp(email: "anna@example.com")
            #expect(try await anna.get("/dashboard").body.string.contains("Welcome, Anna"))
            let switched = try await anna.post("/language", ["language": "nl", "return_to": "/dashboard"])
            #expect(switched.headers.first(name: .location) == "/dashboard")
            #expect(try await anna.get("/dashboard").body.string.contains("Welkom, Anna"))

            // Another browser, English, no cookie: the account's preference wins.
            let elsewhere = app.browser(acceptLanguage: "en-US")
            _ = try await elsewhere.get("/signin")
            _ = try await elsewhere.post("/signin", ["email": "anna@example.com", "password": "correct-horse-battery-staple-42"])
            #expect(try await elsewhere.get("/dashboard").body.string.contains("Welkom, Anna"))

            // "Follow my browser" clears it.
            _ = try await elsewhere.post("/account/language", ["language": ""])
            #expect(try await elsewhere.get("/dashboard").body.string.contains("Welcome, Anna"))
        }
    }

    @Test("an unknown language or an outside return address is refused or ignored")
    func badInput() async throws {
        try await TestApp.run { app in
            let browser = app.browser()
            _ = try await browser.get("/signin")
            #expect(try await browser.post("/language", ["language": "xx"]).status == .badRequest)
            let response = try await browser.post("/language", ["language": "nl", "return_to": "https://evil.example/"])
            #expect(response.headers.first(name: .location) == "/")
        }
    }
}

@Suite struct LoggingTests {
    @Test("log lines carry the request id; passwords, session tokens and CSRF tokens never appear, even at debug level")
    func noSecretsInLogs() async throws {
        try await TestApp.run(logLevel: .debug) { app in
            let password = "unique-passphrase-\(UUID().uuidString)"
            let anna = try await app.signUp(email: "log-\(UUID().uuidString)@example.com", password: password)
            let token = try #require(anna.sessionToken)
            _ = try await anna.get("/dashboard")
            let csrf = try #require(anna.csrfToken)
            _ = try await anna.post("/account/password", ["current_password": password, "new_password": password + "-new"])
            _ = try await anna.post("/signin", ["email": "nobody@example.com", "password": password])

            let lines = LogCapture.shared.all
            #expect(lines.contains { $0.contains("GET /dashboard") && $0.contains("request-id=") }, "requests are logged with their id")
            #expect(lines.contains { $0.contains("signed in") && $0.contains("request-id=") })
            for secret in [password, token, csrf] {
                let leaks = lines.filter { $0.contains(secret) }
                #expect(leaks.isEmpty, "a secret reached the log: \(leaks.prefix(3))")
            }
        }
    }
}
