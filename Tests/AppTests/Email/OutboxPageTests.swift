@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// `/admin/outbox`: platform operators only; an email's HTML can never run in the app's origin.
@Suite struct OutboxPageTests {
    struct Hostile: EmailTemplate {
        var kind: String { "hostile" }
        func subject(_ t: Localizer) -> String { "<script>alert('subject')</script>" }
        func body(_ t: Localizer) -> EmailBody { EmailBody(paragraphs: ["<script>alert('body')</script>"]) }
    }

    static func operatorBrowser(_ test: TestApp) async throws -> Browser {
        let browser = try await test.signUp(name: "Olga Operator", organization: "Platform", email: "olga@example.com")
        try await User.query(on: test.db).filter(\.$email == "olga@example.com").set(\.$isPlatformAdmin, to: true).update()
        return browser
    }

    @Test func operatorsReadTheOutboxAndTheHTMLPartIsSandboxed() async throws {
        try await TestApp.run { test in
            let olga = try await Self.operatorBrowser(test)
            var message = test.app.emails.message(Hostile(), to: .init(email: "bram@example.com", language: .en), organizationName: nil)
            // A part as a hostile provider or a bug could write it: raw script in the HTML.
            message.html = "<html><body><script>parent.document.title='owned'</script><p>hi</p></body></html>"
            _ = try await OutboxMailer(database: test.db, now: { test.clock.now }).send(message)
            let email = try #require(try await test.sentEmails().first)

            let list = try await olga.get("/admin/outbox")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("bram@example.com"))
            #expect(!list.body.string.contains("<script>alert"), "the subject is escaped")

            let detail = try await olga.get("/admin/outbox/\(email.id!)")
            #expect(detail.status == .ok)
            let html = detail.body.string
            #expect(html.contains("<iframe src=\"/admin/outbox/\(email.id!)/html\" sandbox"), "framed with every sandbox restriction")
            #expect(!html.contains("allow-scripts") && !html.contains("allow-same-origin"))
            #expect(!html.contains("<script>parent"), "the HTML part is not inlined into the page")
            #expect(html.contains("Message-ID"))

            let part = try await olga.get("/admin/outbox/\(email.id!)/html")
            #expect(part.status == .ok)
            let policy = part.headers.first(name: "Content-Security-Policy") ?? ""
            #expect(policy.hasPrefix("sandbox"), "served in a sandbox: scripts do not run and the origin is opaque")
            #expect(policy.contains("default-src 'none'"))
            #expect(part.headers.first(name: "X-Content-Type-Options") == "nosniff")
        }
    }

    @Test func nobodyElseSeesTheOutbox() async throws {
        try await TestApp.run { test in
            let message = test.app.emails.message(Hostile(), to: .init(email: "bram@example.com", language: .en), organizationName: nil)
            _ = try await OutboxMailer(database: test.db, now: { test.clock.now }).send(message)
            let email = try #require(try await test.sentEmails().first)
            let member = try await test.signUp(email: "anna@example.com")
            for path in ["/admin/outbox", "/admin/outbox/\(email.id!)", "/admin/outbox/\(email.id!)/html"] {
                #expect(try await member.get(path).status != .ok, "\(path) for a member")
                #expect(try await test.browser().get(path).status != .ok, "\(path) signed out")
            }
        }
    }

    @Test func theOutboxPagesThroughNewestFirst() async throws {
        try await TestApp.run { test in
            let olga = try await Self.operatorBrowser(test)
            let outbox = OutboxMailer(database: test.db, now: { test.clock.now })
            for index in 0..<(OutboxPage.pageSize + 1) {
                var message = test.app.emails.message(Hostile(), to: .init(email: "r\(index)@example.com", language: .en), organizationName: nil)
                message.subject = "Mail \(index)"
                _ = try await outbox.send(message)
                test.clock.advance(by: 1)
            }
            let first = try await olga.get("/admin/outbox").body.string
            #expect(first.contains("r50@example.com") && !first.contains("r0@example.com"))
            #expect(first.contains("?page=2"))
            let second = try await olga.get("/admin/outbox?page=2").body.string
            #expect(second.contains("r0@example.com"))
        }
    }
}
