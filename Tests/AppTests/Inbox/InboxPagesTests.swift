@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The inbox without JavaScript: every form posts and redirects, every page shows the state.
@Suite struct InboxPagesTests {
    @Test func theWorkPanelsFormsAssignResolveSnoozeTagAndNoteWithoutJavaScript() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000111", name: "Jan Jansen")
            let tag = Tag(organizationID: harness.organizationID, name: "Refund", createdAt: harness.clock.now)
            try await tag.create(on: harness.db)
            let owner = harness.owner
            let page = "/inbox/\(conversation.id!)"
            _ = try await owner.get(page)

            func post(_ path: String, _ fields: [String: String]) async throws -> TestingHTTPResponse {
                let response = try await owner.post(path, fields)
                #expect(response.status == .seeOther, "\(fields): \(response.body.string.prefix(300))")
                return response
            }
            _ = try await post(page + "/work", ["action": "assign", "assignee_id": "me"])
            _ = try await post(page + "/work", ["action": "tag", "tag_id": tag.id!.uuidString])
            _ = try await post(page + "/notes", ["body": "Refund approved by finance"])
            var shown = try await owner.get(page).body.string
            #expect(shown.contains("Assigned to Anna de Vries"))
            #expect(shown.contains(#"class="tag">Refund"#))
            #expect(shown.contains("Refund approved by finance"))
            #expect(shown.contains(#"data-testid="note""#))

            _ = try await post(page + "/work", ["action": "snooze", "snooze_hours": "4"])
            let snoozed = try await harness.reload(conversation)
            #expect(snoozed.status == .snoozed)
            #expect(snoozed.snoozedUntil == harness.clock.now.addingTimeInterval(4 * 3600))
            _ = try await post(page + "/work", ["action": "resolve"])
            shown = try await owner.get(page).body.string
            #expect(shown.contains("Reopen"), "a resolved conversation offers to reopen it")

            let empty = try await owner.post(page + "/notes", ["body": "  "])
            #expect(empty.status == .badRequest)
            #expect(empty.body.string.contains("Write something in the note."))
            let nonsense = try await owner.post(page + "/work", ["action": "snooze", "snooze_hours": "0"])
            #expect(nonsense.status == .badRequest)
            #expect(try await harness.reload(conversation).status == .resolved, "nothing changed")
        }
    }

    @Test func theListsBulkBarChangesEverySelectedConversation() async throws {
        try await WhatsAppHarness.run { harness in
            let a = try await harness.conversation(of: "31600000121", name: "A")
            let b = try await harness.conversation(of: "31600000122", name: "B")
            let c = try await harness.conversation(of: "31600000123", name: "C")
            let owner = harness.owner
            let list = try await owner.get("/inbox").body.string
            #expect(list.contains(#"name="ids""#))
            #expect(list.contains("Open <span class=\"count\">3</span>"), "the open tab counts three")

            // A form posts repeated fields; the browser sends ids=…&ids=….
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            let body = [
                ("bulk", "resolve"), ("ids", a.id!.uuidString), ("ids", b.id!.uuidString), ("return_to", "/inbox?status=open&assignee=all"),
                (CSRFProtection.formField, owner.csrfToken ?? ""),
            ]
            .map { "\($0.0)=\(Browser.formEncode($0.1))" }.joined(separator: "&")
            let response = try await owner.send(.POST, "/inbox/bulk", headers: headers, body: ByteBuffer(string: body))
            #expect(response.status == .seeOther, "\(response.body.string.prefix(300))")
            #expect(response.headers.first(name: .location) == "/inbox?status=open&assignee=all&notice=done")
            #expect(try await harness.reload(a).status == .resolved)
            #expect(try await harness.reload(b).status == .resolved)
            #expect(try await harness.reload(c).status == .open)
            let after = try await owner.get("/inbox?status=resolved&assignee=all").body.string
            #expect(after.contains("Resolved <span class=\"count\">2</span>"))
        }
    }

    @Test func theComposerRepliesReactsAndExpandsACannedResponse() async throws {
        try await WhatsAppHarness.run { harness in
            let wamid = try await harness.customer("31600000131", name: "Jan Jansen").sendText("Is my bread ready?")
            let inbound = try await harness.stored(wamid)
            let conversation = try #require(try await harness.conversation(with: "31600000131"))
            let canned = CannedResponse(
                organizationID: harness.organizationID, shortcut: "ready", body: "Hi {{first_name}}, it is ready! {{agent}}", createdAt: harness.clock.now)
            try await canned.create(on: harness.db)
            let owner = harness.owner
            let page = "/inbox/\(conversation.id!)"
            let replyPage = try await owner.get(page + "?reply_to=\(inbound.id!)").body.string
            #expect(replyPage.contains("Replying to: Is my bread ready?"))
            #expect(replyPage.contains(#"data-shortcut="ready""#))
            #expect(replyPage.contains("Hi Jan, it is ready! Anna de Vries"), "offered filled in")

            _ = try await owner.post(page + "/messages", ["text": "/ready", "reply_to": inbound.id!.uuidString])
            _ = try await owner.post(page + "/reaction", ["message_id": inbound.id!.uuidString, "emoji": "👍"])
            try await harness.eventually("both at the simulator") { harness.simulator.sentMessages.count == 2 }
            let sent = harness.simulator.sentMessages
            let text = try #require(sent.first { $0.type == "text" })
            #expect(text.json["text"]?["body"]?.stringValue == "Hi Jan, it is ready! Anna de Vries")
            #expect(text.json["context"]?["message_id"]?.stringValue == wamid, "a reply quotes the customer's message")
            let reaction = try #require(sent.first { $0.type == "reaction" })
            #expect(reaction.json["reaction"]?["message_id"]?.stringValue == wamid)
            #expect(reaction.json["reaction"]?["emoji"]?.stringValue == "👍")
            #expect(try await harness.reload(conversation).waitingSince == nil, "answered: no longer waiting")
        }
    }

    @Test func settingsConfigureTeamsTagsCannedResponsesAndCapacityForAdminsOnly() async throws {
        try await WhatsAppHarness.run { harness in
            let agent = try await harness.colleague("Ada Agent")
            let owner = harness.owner
            _ = try await owner.get("/settings/inbox")
            for fields in [
                ["action": "team.create", "name": "Support", "auto_assign": "on", "member_ids": agent.id.uuidString],
                ["action": "tag.create", "name": "VIP"],
                ["action": "canned.create", "shortcut": "/Hours", "body": "Open 9 to 5"],
                ["action": "capacity", "id": agent.id.uuidString, "capacity": "3"],
                ["action": "visibility"],
            ] {
                let response = try await owner.post("/settings/inbox", fields)
                #expect(response.status == .seeOther, "\(fields): \(response.body.string.prefix(300))")
            }
            let team = try #require(try await harness.scope.query(Team.self).first())
            #expect(team.name == "Support" && team.autoAssign)
            #expect(try await harness.scope.query(TeamMember.self).all().map(\.$membership.id) == [agent.id])
            #expect(try await harness.scope.query(Tag.self).all().map(\.name) == ["VIP"])
            #expect(try await harness.scope.query(CannedResponse.self).all().map(\.shortcut) == ["hours"])
            #expect(try await harness.scope.find(Membership.self, agent.id)?.capacity == 3)
            #expect(try await harness.test.organization(named: "Bakkerij Anna").agentsSeeAll == false, "an unticked box turns it off")

            let page = try await owner.get("/settings/inbox").body.string
            #expect(page.contains("Support") && page.contains("VIP") && page.contains("/hours"))

            for (fields, message) in [
                (["action": "tag.create", "name": "VIP"], "There is already one with that name."),
                (["action": "canned.create", "shortcut": "two words", "body": "x"], "A shortcut is 1 to 30"),
                (["action": "capacity", "id": agent.id.uuidString, "capacity": "0"], "Capacity must be between 1 and 500."),
                (["action": "team.create", "name": ""], "The name must have 1 to 60 characters."),
            ] {
                let response = try await owner.post("/settings/inbox", fields)
                #expect(response.status == .unprocessableEntity, "\(fields)")
                #expect(response.body.string.contains(message), "\(fields): \(response.body.string.prefix(200))")
            }
            #expect(try await harness.scope.query(Tag.self).count() == 1)

            _ = try await agent.browser.get("/settings/inbox")
            #expect(try await agent.browser.post("/settings/inbox", ["action": "tag.create", "name": "Mine"]).status == .forbidden)
            #expect(try await harness.scope.query(Tag.self).count() == 1)
        }
    }

    @Test func anAgentStepsAwayAndComesBack() async throws {
        try await WhatsAppHarness.run { harness in
            let agent = try await harness.colleague("Ada Agent")
            _ = try await agent.browser.get("/inbox")
            #expect(try await agent.browser.post("/inbox/availability", ["available": "false"]).status == .seeOther)
            #expect(try await harness.scope.find(Membership.self, agent.id)?.available == false)
            let away = try await agent.browser.get("/inbox").body.string
            #expect(away.contains("I&#39;m back") || away.contains("I'm back"))
            #expect(try await agent.browser.post("/inbox/availability", ["available": "true"]).status == .seeOther)
            #expect(try await harness.scope.find(Membership.self, agent.id)?.available == true)
        }
    }
}
