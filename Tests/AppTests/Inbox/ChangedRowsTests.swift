@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// `GET /inbox/rows`: the live list asks for the rows of the conversations that changed, not for
/// its whole page again.
@Suite struct ChangedRowsTests {
    /// The `data-conversation-id`s of a fragment's rows, in order.
    static func rowIDs(_ html: String) -> [String] {
        html.matches(of: /data-conversation-id="([0-9A-F-]+)"/).map { String($0.output.1) }
    }

    @Test("the rows the filter still shows come back in list order with the tab counts; one that left the filter does not")
    func changedRowsFollowTheFilter() async throws {
        try await WhatsAppHarness.run { harness in
            let older = try await harness.conversation(of: "31600000131", name: "Older")
            harness.clock.advance(by: 60)
            let newer = try await harness.conversation(of: "31600000132", name: "Newer <b>")
            let ids = "\(older.id!),\(newer.id!)"

            let both = try await harness.owner.get("/inbox/rows?ids=\(ids)&status=open&assignee=all")
            #expect(both.status == .ok)
            #expect(both.headers.contentType == .html && both.headers.first(name: .cacheControl) == "no-store")
            let html = both.body.string
            #expect(Self.rowIDs(html) == [newer.id!.uuidString, older.id!.uuidString], "newest first, as the list")
            #expect(html.contains(#"id="status-tabs""#) && html.contains("Open <span class=\"count\">2</span>"))
            #expect(html.contains("Newer &lt;b&gt;") && !html.contains("Newer <b>"), "names are escaped like the page's")
            #expect(html.contains(#"data-at=""#))
            #expect(!html.contains("<html"), "a fragment, not a page")

            _ = try await harness.owner.api(.POST, "/api/v1/conversations/\(older.id!)/work", json: #"{"action":"resolve"}"#)
            let open = try await harness.owner.get("/inbox/rows?ids=\(ids)&status=open&assignee=all").body.string
            #expect(Self.rowIDs(open) == [newer.id!.uuidString], "the resolved one leaves the open list")
            #expect(open.contains("Open <span class=\"count\">1</span>") && open.contains("Resolved <span class=\"count\">1</span>"))
            let resolved = try await harness.owner.get("/inbox/rows?ids=\(ids)&status=resolved&assignee=all").body.string
            #expect(Self.rowIDs(resolved) == [older.id!.uuidString])
            let mine = try await harness.owner.get("/inbox/rows?ids=\(ids)&status=open&assignee=mine").body.string
            #expect(Self.rowIDs(mine).isEmpty, "nothing is assigned to the owner")
        }
    }

    @Test("attacks: another team's or organization's conversations, bad ids, too many ids and no session get no rows")
    func changedRowsRevealNothing() async throws {
        try await WhatsAppHarness.run { harness in
            let (agent, _, ours) = try await harness.agentLimitedToTeam("Tess Team", customer: "31600000141", named: "Ours")
            let elsewhere = try await harness.conversation(of: "31600000142", name: "Elsewhere")
            let outsider = try await harness.test.signUp(name: "Olga Other", organization: "Other Shop", email: "olga@other.example")

            let agentRows = try await agent.browser.get("/inbox/rows?ids=\(ours.id!),\(elsewhere.id!)&status=open&assignee=all").body.string
            #expect(Self.rowIDs(agentRows) == [ours.id!.uuidString], "an agent outside a team sees none of its conversations")
            #expect(agentRows.contains("Open <span class=\"count\">1</span>"), "nor are they counted")
            let outsiderRows = try await outsider.get("/inbox/rows?ids=\(ours.id!),\(elsewhere.id!)&status=open&assignee=all")
            #expect(outsiderRows.status == .ok && Self.rowIDs(outsiderRows.body.string).isEmpty, "another organization gets nothing")
            #expect(!outsiderRows.body.string.contains("Ours"))

            for bad in ["", "not-a-uuid", "\(ours.id!),", Array(repeating: ours.id!.uuidString, count: 51).joined(separator: ",")] {
                let response = try await harness.owner.get("/inbox/rows?ids=\(bad)&status=open")
                #expect(response.status == .badRequest, "ids=\(bad.prefix(40))")
            }
            let badFilter = try await harness.owner.get("/inbox/rows?ids=\(ours.id!)&status=everything")
            #expect(badFilter.status == .badRequest)
            let signedOut = try await harness.test.browser().get("/inbox/rows?ids=\(ours.id!)")
            #expect(signedOut.status != .ok && !signedOut.body.string.contains("Ours"))
        }
    }
}
