@testable import App
import Fluent
import Foundation
import Mail
import Testing
import Vapor
import VaporTesting

/// Attacks on notifications: guessed and foreign tokens, CSRF on the settings form, other
/// organizations, header injection and HTML in names.
@Suite struct NotificationAttackTests {
    @Test func guessedOrMalformedTokensChangeNothing() async throws {
        try await WhatsAppHarness.run { harness in
            _ = try await harness.colleague("Bram Bakker")
            let guessed = String(repeating: "A", count: 43)
            for token in [guessed, "short", "..%2F..%2Fadmin", String(repeating: "x", count: 500)] {
                let page = try await harness.test.browser().get("/unsubscribe/\(token)")
                #expect(page.status == .notFound, "\(token)")
                let post = try await harness.test.browser().post("/unsubscribe/\(token)", includeCSRF: false)
                #expect(post.status == .notFound, "\(token)")
            }
            #expect(try await NotificationPreference.query(on: harness.db).count() == 0)
        }
    }

    @Test func aTokenTurnsOffOnlyItsOwnMembersKindAndExpires() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000091", name: "Jan")
            let bram = try await harness.colleague("Bram Bakker")
            let carla = try await harness.colleague("Carla Kok")
            try await NotificationTests.note(harness.owner, conversation, "@bram and @carla")
            try await harness.runJobsUntilIdle()
            let bramMail = try #require(try await NotificationTests.mails(harness, "bram.bakker@example.com").first)
            let token = try NotificationTests.unsubscribeToken(bramMail)
            // Carla, signed in, uses Bram's link: it still only concerns Bram.
            let used = try await carla.browser.post("/unsubscribe/\(token)", includeCSRF: false)
            #expect(used.status == .ok)
            let rows = try await NotificationPreference.query(on: harness.db).all()
            #expect(rows.map(\.membershipID) == [bram.id])
            #expect(rows.first?.assignment == true)
            // The stored row holds a hash, never the token.
            let stored = try await NotificationUnsubscribe.query(on: harness.db).all()
            #expect(!stored.contains { $0.tokenHash == token } && stored.contains { $0.tokenHash == sha256Hex(token) })
            // Half a year later the link no longer works.
            harness.clock.advance(by: 181 * 86_400)
            #expect(try await harness.test.browser().get("/unsubscribe/\(token)").status == .notFound)
            // And the maintenance job forgets it.
            try await harness.app.backgroundJobs.store(harness.db, harness.app.context).enqueue([
                try .init(PruneExpiredSessions.self, .init(absoluteTimeoutSeconds: 86_400, throttleWindowSeconds: 3600))
            ])
            try await harness.runJobsUntilIdle()
            #expect(try await NotificationUnsubscribe.query(on: harness.db).count() == 0)
        }
    }

    @Test func onlyTheOneClickRouteSkipsTheCSRFCheck() async throws {
        try await TestApp.run { test in
            // Marked where it is registered: the one POST route, beside the vendor-signed webhooks.
            let exempt = test.app.routes.all.filter { $0.access?.isExemptFromCSRF == true && $0.access != .vendorSigned }
            #expect(exempt.map { "\($0.method) /\($0.path.string)" } == ["POST /unsubscribe/:token"])
            // Anything beside it (another method, a longer or shorter path) is refused for want of a CSRF token, not a 404.
            let token = String(repeating: "A", count: 43)
            for (method, path) in [(HTTPMethod.PUT, "/unsubscribe/\(token)"), (.POST, "/unsubscribe/\(token)/extra"), (.POST, "/unsubscribe")] {
                let response = try await test.browser().send(method, path)
                #expect(response.status == .forbidden, "\(method) \(path) answered \(response.status), not the CSRF refusal")
            }
        }
    }

    @Test func theSettingsFormRefusesAForeignSiteOrAMissingToken() async throws {
        try await WhatsAppHarness.run { harness in
            let bram = try await harness.colleague("Bram Bakker")
            _ = try await bram.browser.get("/settings/notifications")
            let noToken = try await bram.browser.post("/settings/notifications", ["digest": "on"], includeCSRF: false)
            #expect(noToken.status == .forbidden)
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            headers.add(name: .origin, value: "https://evil.example")
            let foreign = try await bram.browser.send(
                .POST, "/settings/notifications", headers: headers, body: ByteBuffer(string: "digest=on&_csrf=\(bram.browser.csrfToken ?? "")"))
            #expect(foreign.status == .forbidden)
            #expect(try await NotificationPreference.query(on: harness.db).count() == 0)
            // Signed out, the page is not there.
            #expect(try await harness.test.browser().get("/settings/notifications").status != .ok)
        }
    }

    @Test func aMemberOfAnotherOrganizationNeverHearsOfThisOnesConversations() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000092", name: "Jan")
            // Eve has her own organization; she is no member of Anna's.
            let eve = try await harness.test.signUp(name: "Eve Evil", organization: "Eve Corp", email: "eve@example.com")
            let eveOrganization = try await harness.test.organization(named: "Eve Corp")
            let eveMembership = try #require(try await Membership.query(on: harness.db).filter(\.$organizationID == eveOrganization.id!).first())
            _ = eve
            try await NotificationTests.note(harness.owner, conversation, "@eve look")
            // Even a forged job naming her membership mails nothing about Anna's conversation.
            let store = harness.app.backgroundJobs.store(harness.db, harness.app.context)
            try await store.enqueue([
                try .init(
                    NotifyAssignment.self, .init(membershipID: eveMembership.id!, conversationIDs: [conversation.id!], assignedBy: "x"),
                    organizationID: harness.organizationID),
                try .init(NotifyMention.self, .init(noteID: UUID(), membershipIDs: [eveMembership.id!]), organizationID: harness.organizationID),
            ])
            _ = try await harness.owner.get("/settings/notifications")
            _ = try await harness.owner.post("/settings/notifications", ["digest": "on"])
            try await store.enqueue([try .init(SendDailyDigests.self, .init())])
            try await harness.runJobsUntilIdle()
            #expect(try await NotificationTests.mails(harness, "eve@example.com").isEmpty)
            for mail in try await NotificationTests.mails(harness) where mail.toAddress != "anna@example.com" {
                Issue.record("unexpected email to \(mail.toAddress)")
            }
        }
    }

    @Test func namesAndSubjectsCannotAddHeadersAndOrganizationNamesAreEscaped() async throws {
        try await TestApp.run { test in
            let hostile = EmailRecipient(email: "bram@example.com", name: "Bram\r\nBcc: eve@evil.test", language: .en)
            let template = MentionEmail(
                recipientName: "Bram", authorName: "Eve\r\nBcc: eve@evil.test", organizationName: "<script>alert(1)</script> & Co",
                contactName: "<img src=x onerror=alert(1)>", excerpt: "</p><a href=\"javascript:alert(1)\">x</a>", conversationURL: "javascript:alert(1)")
            let message = test.app.emails.message(
                template, to: hostile, organizationName: "<script>alert(1)</script> & Co", unsubscribe: EmailUnsubscribe(token: "t"),
                replyTo: "a@b.c\r\nBcc: x@y.z")
            #expect(!message.subject.contains("\r") && !message.subject.contains("\n"))
            #expect(message.to.first?.name?.contains("\n") == false)
            #expect(message.replyTo == nil, "a reply-to address with a line break is dropped")
            let mime = try MIMEMessage.render(message)
            let head = try #require(mime.components(separatedBy: "\r\n\r\n").first)
            #expect(!head.contains("\r\nBcc:"), "no header was added")
            #expect(!message.html.contains("<script>alert"))
            #expect(message.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"))
            #expect(!message.html.contains("<img src=x"))
            #expect(!message.html.contains("href=\"javascript:"), "a javascript: link never becomes one")
            // It goes through the outbox like any other.
            _ = try await OutboxMailer(database: test.db, now: { test.clock.now }).send(message)
            #expect(try await test.sentEmails().count == 1)
        }
    }
}
