@testable import App
import Fluent
import Foundation
import Jobs
import Testing
import Vapor
import VaporTesting

/// Working conversations: assign, states, snooze, teams, tags, bulk; who may do what; bad input.
@Suite struct ConversationWorkTests {
    @Test func aBulkActionChangesEverySelectedConversationAndRecordsOneEventEach() async throws {
        try await WhatsAppHarness.run { harness in
            let a = try await harness.conversation(of: "31600000011", name: "A")
            let b = try await harness.conversation(of: "31600000012", name: "B")
            let c = try await harness.conversation(of: "31600000013", name: "C")
            let agent = try await harness.colleague("Bo Agent")
            let before = try await InboxEventLog.latestID(on: harness.db)

            let assign = try await harness.owner.api(
                .POST, "/api/v1/conversations/bulk", json: #"{"action":"assign","assignee_id":"\#(agent.id)","ids":["\#(a.id!)","\#(b.id!)"]}"#)
            #expect(assign.status == .noContent, "\(assign.body.string)")
            #expect(try await harness.reload(a).$assignee.id == agent.id)
            #expect(try await harness.reload(b).$assignee.id == agent.id)
            #expect(try await harness.reload(c).$assignee.id == nil)

            #expect(
                try await agent.browser.api(.POST, "/api/v1/conversations/bulk", json: #"{"action":"resolve","ids":["\#(a.id!)","\#(b.id!)","\#(c.id!)"]}"#)
                    .status == .noContent)
            for conversation in [a, b, c] {
                let reloaded = try await harness.reload(conversation)
                #expect(reloaded.status == .resolved)
                #expect(reloaded.waitingSince == nil, "a resolved conversation waits for no one")
            }
            let events = try await InboxEventLog.events(after: before, organizationID: harness.organizationID, limit: 100, on: harness.db)
            #expect(events.filter { $0.kind == .conversation }.count == 5)
            #expect(events.first { $0.conversationID == a.id }?.data["by"] == "Anna de Vries")
            #expect(events.last { $0.conversationID == a.id }?.assigneeID == agent.id, "events carry the assignee, for who may see them")

            // A customer writing to a resolved conversation reopens it, for the same assignee.
            _ = try await harness.stored(try await harness.customer("31600000011", name: "A").sendText("Toch nog een vraag"))
            let reopened = try await harness.reload(a)
            #expect(reopened.status == .open)
            #expect(reopened.$assignee.id == agent.id)
            #expect(reopened.waitingSince != nil)
        }
    }

    @Test func aSnoozedConversationWakesAtItsTimeOrWhenTheCustomerWritesFirst() async throws {
        try await WhatsAppHarness.run { harness in
            let early = try await harness.conversation(of: "31600000021", name: "Early")
            let late = try await harness.conversation(of: "31600000022", name: "Late")
            for conversation in [early, late] {
                let response = try await harness.owner.api(
                    .POST, "/api/v1/conversations/\(conversation.id!)/work", json: #"{"action":"snooze","snoozed_until":"2026-12-24T09:00:00Z"}"#)
                #expect(response.status == .noContent, "\(response.body.string)")
            }
            #expect(try await harness.reload(early).status == .snoozed)
            #expect(try await ConversationListTests.list(harness.owner, "status=open").data.isEmpty, "out of sight")
            #expect(try await ConversationListTests.list(harness.owner, "status=snoozed").data.count == 2)

            _ = try await harness.stored(try await harness.customer("31600000021", name: "Early").sendText("Is het al klaar?"))
            let woken = try await harness.reload(early)
            #expect(woken.status == .open)
            #expect(woken.snoozedUntil == nil)
            #expect(try await harness.reload(late).status == .snoozed)

            harness.clock.advance(by: 90 * 86_400)
            try await JobStore(database: harness.db).enqueue(.init(WakeSnoozedConversations.self, .init()))
            try await harness.eventually("the snooze ends") { try await harness.reload(late).status == .open }
        }
    }

    @Test func changesThatCannotBeDoneAreRefusedWithAClearErrorAndChangeNothing() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000031", name: "Jan")
            let viewer = try await harness.colleague("Vera Viewer", role: .viewer)
            _ = try await harness.test.signUp(name: "Olga Other", organization: "Other Shop", email: "other@example.com")
            let other = try await harness.test.organization(named: "Other Shop")
            let foreignTag = Tag(organizationID: other.id!, name: "Theirs", createdAt: harness.clock.now)
            try await foreignTag.create(on: harness.db)
            let path = "/api/v1/conversations/\(conversation.id!)/work"
            let cases: [(String, HTTPStatus, String)] = [
                (#"{"action":"close"}"#, .badRequest, "validation_failed"),
                (#"{}"#, .badRequest, "validation_failed"),
                (#"{"action":"assign","assignee_id":"nobody"}"#, .badRequest, "validation_failed"),
                (#"{"action":"assign","assignee_id":"\#(UUID())"}"#, .unprocessableEntity, "not_a_member"),
                (#"{"action":"assign","assignee_id":"\#(viewer.id)"}"#, .unprocessableEntity, "viewer_cannot_be_assigned"),
                (#"{"action":"snooze","snoozed_until":"2020-01-01T00:00:00Z"}"#, .unprocessableEntity, "snooze_in_the_past"),
                (#"{"action":"snooze"}"#, .badRequest, "validation_failed"),
                (#"{"action":"tag","tag_id":"\#(foreignTag.id!)"}"#, .unprocessableEntity, "unknown_tag"),
                (#"{"action":"team","team_id":"\#(UUID())"}"#, .unprocessableEntity, "unknown_team"),
            ]
            for (json, status, code) in cases {
                let response = try await harness.owner.api(.POST, path, json: json)
                #expect(response.status == status, "\(json): \(response.body.string)")
                #expect(response.body.string.contains(#""code":"\#(code)""#), "\(json): \(response.body.string)")
            }
            let bulk = try await harness.owner.api(.POST, "/api/v1/conversations/bulk", json: #"{"action":"resolve","ids":[]}"#)
            #expect(bulk.status == .badRequest)
            // Viewers read only.
            #expect(try await viewer.browser.api(.POST, path, json: #"{"action":"resolve"}"#).status == .forbidden)
            #expect(try await viewer.browser.api(.POST, "/api/v1/conversations/\(conversation.id!)/notes", json: #"{"body":"hi"}"#).status == .forbidden)
            #expect(try await viewer.browser.api(.POST, "/api/v1/tags", json: #"{"name":"Mine"}"#).status == .forbidden)

            let unchanged = try await harness.reload(conversation)
            #expect(unchanged.status == .open)
            #expect(unchanged.$assignee.id == nil)
            #expect(unchanged.snoozedUntil == nil)
            #expect(try await harness.scope.query(ConversationTag.self).count() == 0)
        }
    }

    @Test func agentsLimitedToTheirTeamsSeeOnlyThoseAndWhatIsAssignedToThem() async throws {
        try await WhatsAppHarness.run { harness in
            let ours = try await harness.conversation(of: "31600000041", name: "Ours")
            let theirs = try await harness.conversation(of: "31600000042", name: "Theirs")
            let mine = try await harness.conversation(of: "31600000043", name: "Mine")
            let agent = try await harness.colleague("Tess Team")
            let team = try await harness.owner.api(.POST, "/api/v1/teams", json: #"{"name":"Support","member_ids":["\#(agent.id)"]}"#)
            #expect(team.status == .created, "\(team.body.string)")
            let teamID = try team.content.decode(InboxAPIController.TeamBody.self).id
            _ = try await harness.owner.api(.POST, "/api/v1/conversations/\(ours.id!)/work", json: #"{"action":"team","team_id":"\#(teamID)"}"#)
            _ = try await harness.owner.api(.POST, "/api/v1/conversations/\(mine.id!)/work", json: #"{"action":"assign","assignee_id":"\#(agent.id)"}"#)

            #expect(try await ConversationListTests.list(agent.browser, "").data.count == 3, "by default agents see everything")
            #expect(try await harness.owner.api(.PUT, "/api/v1/organization/inbox", json: #"{"agents_see_all":false}"#).status == .ok)

            let visible = try await ConversationListTests.list(agent.browser, "")
            #expect(Set(visible.data.map(\.id)) == [ours.id!, mine.id!])
            #expect(visible.counts["status"]?["open"]?.total == 2)
            #expect(try await agent.browser.get("/inbox/\(theirs.id!)").status == .notFound)
            #expect(try await agent.browser.api(.POST, "/api/v1/conversations/\(theirs.id!)/work", json: #"{"action":"resolve"}"#).status == .notFound)
            #expect(try await agent.browser.api(.GET, "/api/v1/conversations/\(theirs.id!)/messages").status == .notFound)
            #expect(try await agent.browser.api(.GET, "/api/v1/conversations/\(theirs.id!)/notes").status == .notFound)
            #expect(
                try await agent.browser.api(.POST, "/api/v1/conversations/\(theirs.id!)/messages", json: #"{"type":"text","text":"hi"}"#).status == .notFound)
            let search = try await agent.browser.api(.GET, "/api/v1/search?q=Theirs")
            #expect(search.status == .ok)
            #expect(!search.body.string.contains(theirs.id!.uuidString), "search finds only what the agent may see")
            #expect(try await harness.owner.api(.GET, "/api/v1/search?q=Theirs").body.string.contains(theirs.id!.uuidString))
            // A bulk selection cannot reach past it either.
            _ = try await agent.browser.api(.POST, "/api/v1/conversations/bulk", json: #"{"action":"resolve","ids":["\#(theirs.id!)","\#(ours.id!)"]}"#)
            #expect(try await harness.reload(theirs).status == .open)
            #expect(try await harness.reload(ours).status == .resolved)
            #expect(try await ConversationListTests.list(harness.owner, "").data.count == 2, "admins still see everything")
        }
    }
}
