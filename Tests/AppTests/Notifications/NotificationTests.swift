@testable import App
import Fluent
import Foundation
import Jobs
import Mail
import Testing
import Vapor
import VaporTesting

/// Email notifications: mentions, assignments and the daily digest reach the members who chose
/// them, in their language, only about conversations they may see; one click unsubscribes.
@Suite struct NotificationTests {
    static func unsubscribeToken(_ email: OutboxEmail) throws -> String {
        let header = try #require(email.header("List-Unsubscribe"))
        let match = try #require(header.firstMatch(of: /\/unsubscribe\/([A-Za-z0-9_-]+)>/))
        return String(match.output.1)
    }

    static func note(_ browser: Browser, _ conversation: Conversation, _ body: String) async throws {
        let response = try await browser.api(
            .POST, "/api/v1/conversations/\(conversation.id!)/notes", json: #"{"body":"\#(body)"}"#)
        #expect(response.status == .created, "\(response.body.string)")
    }

    /// The notification emails in the outbox (sign-up sends its own).
    static func mails(_ harness: WhatsAppHarness, _ address: String? = nil) async throws -> [OutboxEmail] {
        try await harness.test.sentEmails(to: address).filter { NotificationKind(rawValue: $0.kind) != nil }
    }

    static func setLanguage(_ email: String, _ language: String, _ db: any Database) async throws {
        try await User.query(on: db).filter(\.$email == email).set(\.$language, to: language).update()
    }

    @Test func aMentionMailsTheMemberNamedInTheirLanguageWithOneClickUnsubscribe() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000081", name: "Jan")
            let bram = try await harness.colleague("Bram Bakker")
            try await Self.setLanguage("bram.bakker@example.com", "nl", harness.db)

            try await Self.note(harness.owner, conversation, "@bram kun je de terugbetaling controleren? @anna")
            try await harness.runJobsUntilIdle()
            let mails = try await Self.mails(harness, "bram.bakker@example.com")
            #expect(mails.count == 1)
            let mail = try #require(mails.first)
            #expect(mail.kind == "mention")
            #expect(mail.subject == "Anna de Vries noemde je in Bakkerij Anna", "in Bram's language, with the organization's name")
            #expect(mail.textBody.contains("kun je de terugbetaling controleren?"))
            #expect(mail.links.contains("http://127.0.0.1:8080/inbox/\(conversation.id!)"))
            #expect(mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
            #expect(try await Self.mails(harness, "anna@example.com").isEmpty, "the author is not mailed about her own note")

            // The link opens a page without signing in; the GET changes nothing (link scanners follow links).
            let token = try Self.unsubscribeToken(mail)
            let stranger = harness.test.browser()
            let page = try await stranger.get("/unsubscribe/\(token)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("<form method=\"post\" action=\"/unsubscribe/\(token)\""))
            #expect(try await NotificationPreference.query(on: harness.db).count() == 0)

            // One click, as a mail provider sends it: no cookies, no CSRF token, no Origin.
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            let done = try await harness.app.testing().sendRequest(
                .POST, "/unsubscribe/\(token)", headers: headers, body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(done.status == .ok)
            let preference = try #require(try await NotificationPreference.query(on: harness.db).filter(\.$membershipID == bram.id).first())
            #expect(!preference.mention && preference.assignment, "only the kind the link was for")

            try await Self.note(harness.owner, conversation, "@bram nog een keer")
            try await harness.runJobsUntilIdle()
            #expect(try await Self.mails(harness, "bram.bakker@example.com").count == 1, "no more mention emails")
        }
    }

    @Test func aMentionAboutAConversationTheMemberCannotSeeIsNotMailed() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000082", name: "Secret Customer")
            _ = try await harness.colleague("Bram Bakker")
            _ = try await harness.owner.api(.PUT, "/api/v1/organization/inbox", json: #"{"agents_see_all":false}"#)
            try await Self.note(harness.owner, conversation, "@bram look at this")
            try await harness.runJobsUntilIdle()
            #expect(try await Self.mails(harness, "bram.bakker@example.com").isEmpty, "an agent outside the conversation's team hears nothing of it")
        }
    }

    @Test func anAssignmentBySomeoneElseMailsTheAssigneeButTakingOneYourselfDoesNot() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000083", name: "Jan")
            let other = try await harness.conversation(of: "31600000084", name: "Piet")
            let bram = try await harness.colleague("Bram Bakker")
            let assign = try await harness.owner.api(
                .POST, "/api/v1/conversations/bulk", json: #"{"action":"assign","assignee_id":"\#(bram.id)","ids":["\#(conversation.id!)"]}"#)
            #expect(assign.status == .noContent)
            try await harness.runJobsUntilIdle()
            let mails = try await Self.mails(harness, "bram.bakker@example.com")
            #expect(mails.map(\.subject) == ["A conversation was assigned to you"])
            #expect(mails.first?.textBody.contains("Anna de Vries assigned the conversation with Jan to you.") == true)

            // Assigning it again to the same person is no news; taking one yourself is not either.
            _ = try await harness.owner.api(
                .POST, "/api/v1/conversations/bulk", json: #"{"action":"assign","assignee_id":"\#(bram.id)","ids":["\#(conversation.id!)"]}"#)
            let own = try await bram.browser.api(
                .POST, "/api/v1/conversations/bulk", json: #"{"action":"assign","assignee_id":"\#(bram.id)","ids":["\#(other.id!)"]}"#)
            #expect(own.status == .noContent)
            try await harness.runJobsUntilIdle()
            #expect(try await Self.mails(harness, "bram.bakker@example.com").count == 1)
        }
    }

    @Test func automaticAssignmentMailsTheAssignee() async throws {
        try await WhatsAppHarness.run { harness in
            let bram = try await harness.colleague("Bram Bakker")
            let team = Team(organizationID: harness.organizationID, name: "Support", autoAssign: true, createdAt: harness.clock.now)
            try await team.create(on: harness.db)
            try await TeamMember(organizationID: harness.organizationID, teamID: team.id!, membershipID: bram.id).create(on: harness.db)
            let conversation = try await harness.conversation(of: "31600000085", name: "Jan")
            let moved = try await harness.owner.api(
                .POST, "/api/v1/conversations/bulk", json: #"{"action":"team","team_id":"\#(team.id!)","ids":["\#(conversation.id!)"]}"#)
            #expect(moved.status == .noContent, "\(moved.body.string)")
            try await harness.runJobsUntilIdle()
            #expect(try await harness.reload(conversation).$assignee.id == bram.id)
            let mail = try #require(try await Self.mails(harness, "bram.bakker@example.com").first)
            #expect(mail.textBody.contains("Automatic assignment gave you the conversation with Jan."))
        }
    }

    @Test func theDailyDigestListsWaitingConversationsTheMemberMaySeeAndSkipsEmptyOnes() async throws {
        try await WhatsAppHarness.run { harness in
            _ = try await harness.conversation(of: "31600000086", name: "Jan")
            let bram = try await harness.colleague("Bram Bakker")
            _ = try await harness.owner.api(.PUT, "/api/v1/organization/inbox", json: #"{"agents_see_all":false}"#)
            // Both opt in; Bram (an agent without teams) sees none of the waiting conversations.
            _ = try await harness.owner.get("/settings/notifications")
            let saved = try await harness.owner.post("/settings/notifications", ["mention": "on", "assignment": "on", "digest": "on"])
            #expect(saved.status == .seeOther)
            _ = try await bram.browser.get("/settings/notifications")
            _ = try await bram.browser.post("/settings/notifications", ["digest": "on"])

            try await harness.app.backgroundJobs.store(harness.db, harness.app.context).enqueue([try .init(SendDailyDigests.self, .init())])
            try await harness.runJobsUntilIdle()
            let digest = try #require(try await Self.mails(harness, "anna@example.com").first { $0.kind == "digest" })
            #expect(digest.subject == "1 conversations are waiting in Bakkerij Anna")
            #expect(digest.textBody.contains("Jan, waiting since"))
            #expect(try await Self.mails(harness, "bram.bakker@example.com").isEmpty, "nothing he may see is waiting: no email")

            // Run again the same day: nobody gets a second one.
            try await harness.app.backgroundJobs.store(harness.db, harness.app.context).enqueue([try .init(SendDailyDigests.self, .init())])
            try await harness.runJobsUntilIdle()
            #expect(try await Self.mails(harness, "anna@example.com").filter { $0.kind == "digest" }.count == 1)
        }
    }

    @Test func theSettingsPageSavesPerOrganization() async throws {
        try await WhatsAppHarness.run { harness in
            let bram = try await harness.colleague("Bram Bakker")
            let page = try await bram.browser.get("/settings/notifications")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("name=\"mention\" checked"), "mentions are on by default")
            #expect(!page.body.string.contains("name=\"digest\" checked"), "the digest is off by default")
            let saved = try await bram.browser.post("/settings/notifications", ["assignment": "on"])
            #expect(saved.status == .seeOther)
            let preference = try #require(try await NotificationPreference.query(on: harness.db).filter(\.$membershipID == bram.id).first())
            #expect(!preference.mention && preference.assignment && !preference.dailyDigest)
            #expect(preference.organizationID == harness.organizationID)
            #expect(try await NotificationPreference.query(on: harness.db).count() == 1, "his own organization keeps its defaults")
        }
    }

    @Test func twoFirstSavesAtOnceBothLandOnTheOneRow() async throws {
        try await WhatsAppHarness.run { harness in
            let bram = try await harness.colleague("Bram Bakker")
            // The other tab's save lands between this one's read and its insert.
            var calls = 0
            try await NotificationPreference.change(membershipID: bram.id, in: harness.scope, now: harness.clock.now) { preference in
                calls += 1
                if calls == 1 {
                    let other = NotificationPreference(organizationID: harness.organizationID, membershipID: bram.id, now: harness.clock.now)
                    other.mention = false
                    try await other.create(on: harness.db)
                }
                preference.dailyDigest = true
            }
            #expect(calls == 2, "the change is made again to the row the other save wrote")
            let rows = try await NotificationPreference.query(on: harness.db).filter(\.$membershipID == bram.id).all()
            #expect(rows.count == 1)
            #expect(rows.first.map { !$0.mention && $0.dailyDigest } == true, "both saves are in the row")

            // Through the page, saves at once all answer with the saved notice.
            let carla = try await harness.colleague("Carla Cruz")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<4 { group.addTask { try await carla.browser.post("/settings/notifications", ["digest": "on"]).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: .seeOther, count: 4))
            #expect(try await NotificationPreference.query(on: harness.db).filter(\.$membershipID == carla.id).count() == 1)
        }
    }
}
