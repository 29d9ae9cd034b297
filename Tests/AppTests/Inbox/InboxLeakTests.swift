@testable import App
import ADSappCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// What the inbox shows beside the list stays within the reader's rights: mentions only of
/// conversations the member may see, and a Viewer reads along without changing anything.
@Suite struct InboxLeakTests {
    @Test func mentionsOnlyNameConversationsTheAgentMaySee() async throws {
        try await WhatsAppHarness.run { harness in
            let (agent, _, ours) = try await harness.agentLimitedToTeam("Tess Team", customer: "31600000501", named: "Team Customer")
            let secret = try await harness.conversation(of: "31600000502", name: "Secret Customer")

            for conversation in [ours, secret] {
                let noted = try await harness.owner.api(.POST, "/api/v1/conversations/\(conversation.id!)/notes", json: #"{"body":"@tess kijk even"}"#)
                #expect(noted.status == .created, "\(noted.body.string)")
            }
            #expect(try await harness.scope.query(Mention.self).count() == 2, "both notes mention her")

            let page = try await agent.browser.get("/inbox")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Team Customer"), "the mention she may open is listed")
            #expect(!page.body.string.contains("Secret Customer"), "a conversation outside her teams is not named")

            let api = try await agent.browser.api(.GET, "/api/v1/mentions")
            #expect(api.status == .ok)
            #expect(api.body.string.contains(ours.id!.uuidString))
            #expect(!api.body.string.contains(secret.id!.uuidString))

            // When she may see everything again, both are hers to read.
            _ = try await harness.owner.api(.PUT, "/api/v1/organization/inbox", json: #"{"agents_see_all":true}"#)
            #expect(try await agent.browser.api(.GET, "/api/v1/mentions").body.string.contains(secret.id!.uuidString))
        }
    }

    @Test func aViewerOpeningAConversationLeavesItUnreadAndSendsNoReadReceipt() async throws {
        try await WhatsAppHarness.run { harness in
            let viewer = try await harness.colleague("Vera Viewer", role: .viewer)
            let wamid = try await harness.customer("31600000503", name: "Jan").sendText("Is er nog brood?")
            _ = try await harness.stored(wamid)
            let conversation = try #require(try await harness.conversation(with: "31600000503"))
            #expect(conversation.unreadCount == 1)

            let opened = try await viewer.browser.get("/inbox/\(conversation.id!)")
            #expect(opened.status == .ok)
            #expect(opened.body.string.contains("Is er nog brood?"), "she reads it")
            #expect(try await harness.reload(conversation).unreadCount == 1, "still unread for the team")
            let receipts = try await (harness.db as! any SQLDatabase)
                .raw("SELECT count(*) AS n FROM jobs WHERE kind = \(bind: MarkWhatsAppMessageRead.kind)").first()?.decode(column: "n", as: Int.self)
            #expect(receipts == 0, "no read receipt queued")

            // An agent opening it reads it: the customer gets the blue ticks.
            #expect(try await harness.owner.get("/inbox/\(conversation.id!)").status == .ok)
            #expect(try await harness.reload(conversation).unreadCount == 0)
            try await harness.eventually("the read receipt") { harness.simulator.readReceipts.contains(wamid) }
        }
    }
}
