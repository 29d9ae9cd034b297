@testable import App
import ADSappCore
import Fluent
import Foundation
import Testing
import Vapor

/// Attacks on invitations, verification and reset links: other organizations' ids, guessed
/// tokens, enumeration, CSRF, open redirects, markup in names.
@Suite struct AccountEmailAttackTests {
    static let password = "correct-horse-battery-staple-42"

    @Test("another organization's invitation ids are 404, on the page and the API, and change nothing")
    func otherOrganization() async throws {
        try await TestApp.run { app in
            let (owner, _) = try await app.owner()
            let path = try await app.invite("piet@example.com", by: owner)
            let invitation = try #require(try await Invitation.query(on: app.db).first())
            let (intruder, _) = try await app.owner("mallory@example.com", organization: "Mallory BV")
            _ = try await intruder.get("/settings/members")
            #expect(try await intruder.post("/settings/members/invitations/\(invitation.id!)/resend").status == .notFound)
            #expect(try await intruder.post("/settings/members/invitations/\(invitation.id!)/revoke").status == .notFound)
            #expect(try await intruder.api(.POST, "/api/v1/invitations/\(invitation.id!)/resend").status == .notFound)
            #expect(try await intruder.api(.DELETE, "/api/v1/invitations/\(invitation.id!)").status == .notFound)
            let list = try await intruder.api(.GET, "/api/v1/invitations")
            #expect(!list.body.string.contains("piet@example.com"))
            #expect(!(try await intruder.get("/settings/members")).body.string.contains("piet@example.com"))
            #expect(try await app.browser().get(path).status == .ok, "still open")
            // The token names its organization: accepting it while working in another joins only that one.
            try await app.signUp(name: "Piet", organization: "Piet BV", email: "piet@example.com")
            let piet = app.browser()
            _ = try await piet.get("/signin")
            _ = try await piet.post("/signin", ["email": "piet@example.com", "password": Self.password])
            _ = try await piet.get(path)
            _ = try await piet.post(path + "/join")
            let pietUser = try #require(try await User.query(on: app.db).filter(\.$email == "piet@example.com").first())
            let orgs = try await Membership.query(on: app.db).filter(\.$user.$id == pietUser.id!).all().map(\.organizationID)
            #expect(!orgs.contains(try await app.organization(named: "Mallory BV").id!))
        }
    }

    @Test("guessed, malformed, used and withdrawn tokens get one and the same 404")
    func guessing() async throws {
        try await TestApp.run { app in
            let (owner, _) = try await app.owner()
            let path = try await app.invite("piet@example.com", by: owner)
            let invitation = try #require(try await Invitation.query(on: app.db).first())
            _ = try await owner.get("/settings/members")
            _ = try await owner.post("/settings/members/invitations/\(invitation.id!)/revoke")
            let visitor = app.browser()
            let withdrawn = try await visitor.get(path)
            let guessed = try await visitor.get("/invitations/" + String(repeating: "A", count: 43))
            let malformed = try await visitor.get("/invitations/' OR 1=1 --".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!)
            for response in [withdrawn, guessed, malformed] {
                #expect(response.status == .notFound)
                #expect(response.body.string.contains("This invitation is not valid"))
            }
            // The same page but for the address it was asked at (the language switch returns there).
            let guessedPath = "/invitations/" + String(repeating: "A", count: 43)
            #expect(withdrawn.body.string.replacingOccurrences(of: path, with: "") == guessed.body.string.replacingOccurrences(of: guessedPath, with: ""))
            #expect(try await visitor.get("/email/verify/" + String(repeating: "b", count: 43)).status == .notFound)
            #expect(try await visitor.get("/password/reset/" + String(repeating: "c", count: 43)).status == .notFound)
            // A token of one kind does not work as another.
            try await app.signUp(email: "anna2@example.com")
            let verify = try await app.mailedPath(to: "anna2@example.com", kind: "verify-email", containing: "/email/verify/")
            let token = String(verify.dropFirst("/email/verify/".count))
            #expect(try await visitor.get("/password/reset/" + token).status == .notFound)
            #expect(try await visitor.get("/invitations/" + token).status == .notFound)
        }
    }

    @Test("every new form refuses a request without the CSRF token")
    func csrf() async throws {
        try await TestApp.run { app in
            let (owner, _) = try await app.owner()
            let path = try await app.invite("piet@example.com", by: owner)
            let invitation = try #require(try await Invitation.query(on: app.db).first())
            let posts: [(Browser, String, [String: String])] = [
                (owner, "/settings/members/invitations", ["email": "x@example.com", "role": "agent", "language": "en"]),
                (owner, "/settings/members/invitations/\(invitation.id!)/resend", [:]),
                (owner, "/settings/members/invitations/\(invitation.id!)/revoke", [:]),
                (owner, "/account/verification", [:]),
                (owner, path + "/join", [:]),
                (app.browser(), path + "/signup", ["name": "Piet", "password": Self.password]),
                (app.browser(), "/password/forgot", ["email": "owner@example.com"]),
                (app.browser(), "/password/reset/" + String(repeating: "A", count: 43), ["password": "a-brand-new-passphrase"]),
            ]
            for (browser, target, fields) in posts {
                _ = try await browser.get("/signin")
                let response = try await browser.post(target, fields, includeCSRF: false)
                #expect(response.status == .forbidden, "\(target) answered \(response.status)")
            }
            #expect(try await Invitation.query(on: app.db).count() == 1)
            #expect(try await Invitation.query(on: app.db).first()?.revokedAt == nil)
            #expect(try await User.query(on: app.db).filter(\.$email == "piet@example.com").count() == 0)
        }
    }

    @Test("the invitation's sign-in link comes back only to a local path")
    func openRedirect() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "anna@example.com")
            for next in ["https://evil.example/x", "//evil.example", "/\\evil.example"] {
                let browser = app.browser()
                _ = try await browser.get("/signin?next=" + next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                let response = try await browser.post("/signin", ["email": "anna@example.com", "password": Self.password, "next": next])
                #expect(response.headers.first(name: .location) == "/dashboard", "next \(next)")
            }
        }
    }

    @Test("inviter and organization names are escaped on the page and in the email")
    func escaping() async throws {
        try await TestApp.run { app in
            let hostile = "<script>alert(1)</script>"
            let owner = try await app.signUp(name: "<img src=x onerror=alert(1)>", organization: hostile, email: "owner@example.com")
            let path = try await app.invite("piet@example.com", by: owner)
            let page = try await app.browser().get(path)
            #expect(!page.body.string.contains("<script>alert(1)"))
            #expect(!page.body.string.contains("<img src=x"))
            #expect(page.body.string.contains("&lt;script&gt;"))
            let email = try await app.lastEmail(to: "piet@example.com", kind: "invitation")
            #expect(!email.htmlBody.contains("<script>alert(1)"))
            #expect(!email.htmlBody.contains("<img src=x"))
        }
    }
}
