@testable import App
import Fluent
import Foundation
import Jobs
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The live inbox: a tab hears what changes as it happens, resumes after a dropped connection
/// with nothing missed, and hears nothing it may not see.
@Suite struct LiveInboxTests {
    @Test func aTabHearsNewMessagesTicksAndWorkAndResumesAfterADropWithNothingMissed() async throws {
        try await WhatsAppHarness.run(statusCallbacks: .init()) { harness in
            let conversation = try await harness.conversation(of: "31600000081", name: "Jan")
            let tab = try await harness.liveTab(harness.owner)

            _ = try await harness.stored(try await harness.customer("31600000081", name: "Jan").sendText("Nog een vraag"))
            try await tab.waitFor("the new message") { $0.contains { $0.kind == "message" && $0.conversation == conversation.id } }
            _ = try await harness.owner.api(.POST, "/api/v1/conversations/\(conversation.id!)/messages", json: #"{"type":"text","text":"Komt goed"}"#)
            try await tab.waitFor("the delivery ticks") { $0.contains { $0.kind == "status" && $0.conversation == conversation.id } }
            let cursor = try #require(tab.cursor)
            try await tab.close()

            // While the tab is away: a colleague's work and another customer.
            _ = try await harness.owner.api(.POST, "/api/v1/conversations/\(conversation.id!)/work", json: #"{"action":"pending"}"#)
            let other = try await harness.conversation(of: "31600000082", name: "Piet")

            let resumed = try await harness.liveTab(harness.owner, after: cursor)
            try await resumed.waitFor("what happened while away") { received in
                received.contains { $0.kind == "conversation" && $0.conversation == conversation.id }
                    && received.contains { $0.kind == "message" && $0.conversation == other.id }
            }
            #expect(resumed.events.allSatisfy { $0.id! > cursor }, "only what came after the cursor")
            let ids = resumed.events.compactMap(\.id)
            #expect(ids == ids.sorted(), "in order")
            try await resumed.close()
        }
    }

    @Test func aTabTooFarBehindIsToldToReloadAndABadCursorIsRefused() async throws {
        // A small replay limit: one past the default 1,000 took many seconds to record on PostgreSQL.
        try await WhatsAppHarness.run(variables: ["LIVE_INBOX_REPLAY_LIMIT": "10"]) { harness in
            let limit = harness.app.liveInbox.replayLimit
            #expect(limit == 10)
            let conversation = try await harness.conversation(of: "31600000091", name: "Jan")
            let start = try await InboxEventLog.latestID(on: harness.db)
            try await harness.db.transaction { transaction in
                let log = InboxEventLog(database: transaction, wakeUp: harness.app.backgroundJobs.inboxWakeUp, now: harness.clock.now)
                for _ in 0...limit { try await log.record(.conversation, conversations: [conversation.id!]) }
            }
            let tab = try await harness.liveTab(harness.owner, after: start, waitForHello: false)
            try await tab.waitFor("reset") { $0.contains { $0.type == "reset" } }
            try await tab.close()

            #expect(try await harness.owner.get("/inbox/live?after=yesterday", headers: ["Origin": "http://127.0.0.1:8080"]).status == .badRequest)
        }
    }

    @Test func aTabNeverHearsOfConversationsItsMemberMayNotSee() async throws {
        try await WhatsAppHarness.run { harness in
            let (agent, _, ours) = try await harness.agentLimitedToTeam("Tess Team", customer: "31600000101", named: "Ours")

            // And a tab of another organization altogether.
            let outsider = try await harness.test.signUp(name: "Olga Other", organization: "Other Shop", email: "other@example.com")
            let outsiderTab = try await harness.liveTab(outsider)
            let tab = try await harness.liveTab(agent.browser)
            let theirs = try await harness.conversation(of: "31600000102", name: "Theirs")
            _ = try await harness.stored(try await harness.customer("31600000101", name: "Ours").sendText("Hallo team"))
            try await tab.waitFor("the team's message") { $0.contains { $0.conversation == ours.id } }
            let polled = try await agent.browser.api(.GET, "/api/v1/inbox/events?after=0")
            #expect(polled.status == .ok)
            #expect(!polled.body.string.contains(theirs.id!.uuidString))
            #expect(!tab.received.contains { $0.conversation == theirs.id })
            #expect(outsiderTab.events.isEmpty, "nothing of another organization")
            try await tab.close(); try await outsiderTab.close()
        }
    }

    @Test("presence reaches the colleagues who may see the conversation; never the log, the member's own tabs, another team or organization")
    func presenceReachesColleaguesOutsideTheLog() async throws {
        try await WhatsAppHarness.run { harness in
            let (agent, _, ours) = try await harness.agentLimitedToTeam("Tess Team", customer: "31600000111", named: "Ours")
            let other = try await harness.colleague("Otto Other")
            let outsider = try await harness.test.signUp(name: "Olga Other", organization: "Other Shop", email: "olga@other.example")

            let ownerTab = try await harness.liveTab(harness.owner), ownerOtherTab = try await harness.liveTab(harness.owner)
            let agentTab = try await harness.liveTab(agent.browser), otherTab = try await harness.liveTab(other.browser)
            let outsiderTab = try await harness.liveTab(outsider)
            let logged = try await InboxEventLog.latestID(on: harness.db)

            try await ownerTab.send(#"{"viewing":"\#(ours.id!)"}"#)
            try await agentTab.waitFor("the owner looking") {
                $0.contains { $0.type == "presence" && $0.conversation == ours.id && $0.by == "Anna de Vries" }
            }
            // Announcements that must reach no one: a conversation the member may not see, one of
            // another organization, and what is not an announcement at all.
            try await otherTab.send(#"{"viewing":"\#(ours.id!)"}"#)
            try await outsiderTab.send(#"{"viewing":"\#(ours.id!)"}"#)
            try await agentTab.send(#"{"viewing":"not a conversation"}"#)
            try await agentTab.send("<script>")
            try await Task.sleep(for: .milliseconds(300))

            let presence = { (tab: LiveTab) in tab.received.filter { $0.type == "presence" } }
            #expect(presence(agentTab).count == 1, "the owner's once, also on PostgreSQL where this process hears its own NOTIFY")
            #expect(presence(otherTab).isEmpty, "an agent outside the conversation's team hears nothing of it")
            #expect(presence(outsiderTab).isEmpty, "another organization hears nothing")
            #expect(presence(ownerOtherTab).isEmpty, "the owner's other tab is not someone else, and no one else may announce it")
            #expect(presence(ownerTab).isEmpty)
            #expect(try await InboxEventLog.latestID(on: harness.db) == logged, "presence writes nothing to the event log")
            for tab in [ownerTab, ownerOtherTab, agentTab, otherTab, outsiderTab] { try await tab.close() }
        }
    }

    @Test("presence announced in another process reaches this process's tabs; a process's own notification and garbage are ignored")
    func presenceFromAnotherProcess() async throws {
        try await WhatsAppHarness.run { harness in
            let agent = try await harness.colleague("Tess Team")
            let conversation = try await harness.conversation(of: "31600000112", name: "Jan")
            let tab = try await harness.liveTab(agent.browser)
            let otherProcess = LivePresence(live: harness.app.liveInbox)
            let owner = try await harness.ownerMembership.requireID()
            let presence = Presence(
                organizationID: harness.organizationID, conversationID: conversation.id!, teamID: nil, assigneeID: nil, membershipID: owner, by: "Anna de Vries"
            )

            await harness.app.livePresence.received(try otherProcess.notification(presence))
            try await tab.waitFor("the other process's presence") { $0.contains { $0.type == "presence" && $0.by == "Anna de Vries" } }
            await harness.app.livePresence.received(try harness.app.livePresence.notification(presence))
            await harness.app.livePresence.received("not json")
            await harness.app.livePresence.received(#"{"process":"\#(UUID())"}"#)
            try await Task.sleep(for: .milliseconds(200))
            #expect(tab.received.filter { $0.type == "presence" }.count == 1)
            try await tab.close()
        }
    }
}
