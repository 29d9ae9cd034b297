@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The conversation list: filters by status, assignee, team, tag and number; newest activity
/// first; counts and unread counts per filter; keyset pages that stay stable while messages arrive.
@Suite struct ConversationListTests {
    struct ListBody: Decodable {
        struct Row: Decodable { var id: UUID; var status: String; var unread_count: Int; var assignee_id: UUID?; var tag_ids: [UUID] }
        struct Count: Decodable, Equatable { var total: Int; var unread: Int }
        var data: [Row]
        var next_cursor: String?
        var counts: [String: [String: Count]]
    }

    static func list(_ browser: Browser, _ query: String) async throws -> ListBody {
        let response = try await browser.api(.GET, "/api/v1/conversations?\(query)")
        #expect(response.status == .ok, "\(query): \(response.body.string)")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ListBody.self, from: Data(response.body.readableBytesView))
    }

    @Test func everyFilterNarrowsTheListAndEachTabCountsItsConversationsAndTheUnreadOnes() async throws {
        try await WhatsAppHarness.run { harness in
            let jan = try await harness.conversation(of: "31600000001", name: "Jan")
            harness.clock.advance(by: 10)
            let piet = try await harness.conversation(of: "31600000002", name: "Piet")
            harness.clock.advance(by: 10)
            let kees = try await harness.conversation(of: "31600000003", name: "Kees")
            let owner = harness.owner
            let me = try await harness.ownerMembership.id!

            #expect(try await owner.api(.POST, "/api/v1/conversations/\(jan.id!)/work", json: #"{"action":"assign","assignee_id":"me"}"#).status == .noContent)
            #expect(try await owner.api(.POST, "/api/v1/conversations/\(kees.id!)/work", json: #"{"action":"resolve"}"#).status == .noContent)
            let tag = try await owner.api(.POST, "/api/v1/tags", json: #"{"name":"Refund"}"#)
            #expect(tag.status == .created)
            let tagID = try tag.content.decode(InboxAPIController.TagBody.self).id
            #expect(try await owner.api(.POST, "/api/v1/conversations/\(piet.id!)/work", json: #"{"action":"tag","tag_id":"\#(tagID)"}"#).status == .noContent)
            // Reading Jan's conversation clears its unread count.
            _ = try await owner.get("/inbox/\(jan.id!)")

            let open = try await Self.list(owner, "status=open")
            #expect(open.data.map(\.id) == [piet.id!, jan.id!], "open ones, newest activity first")
            #expect(open.data.first?.tag_ids == [tagID])
            #expect(open.counts["status"]?["open"] == .init(total: 2, unread: 1))
            #expect(open.counts["status"]?["resolved"] == .init(total: 1, unread: 1))
            #expect(open.counts["status"]?["pending"] == .init(total: 0, unread: 0))
            #expect(open.counts["assignee"]?["mine"] == .init(total: 1, unread: 0))
            #expect(open.counts["assignee"]?["unassigned"] == .init(total: 1, unread: 1))
            #expect(open.counts["assignee"]?["all"] == .init(total: 2, unread: 1))

            #expect(try await Self.list(owner, "assignee=mine").data.map(\.id) == [jan.id!])
            #expect(try await Self.list(owner, "assignee=mine").data.first?.assignee_id == me)
            #expect(try await Self.list(owner, "assignee=unassigned").data.map(\.id) == [piet.id!])
            #expect(try await Self.list(owner, "status=resolved").data.map(\.id) == [kees.id!])
            #expect(try await Self.list(owner, "tag=\(tagID)").data.map(\.id) == [piet.id!])
            #expect(try await Self.list(owner, "connection=\(harness.connectionID)").data.count == 2)
            #expect(try await Self.list(owner, "connection=\(UUID())").data.isEmpty)

            let team = try await owner.api(.POST, "/api/v1/teams", json: #"{"name":"Sales","auto_assign":false}"#)
            let teamID = try team.content.decode(InboxAPIController.TeamBody.self).id
            #expect(
                try await owner.api(
                    .POST, "/api/v1/conversations/bulk", json: #"{"action":"team","team_id":"\#(teamID)","ids":["\#(jan.id!)","\#(kees.id!)"]}"#
                ).status == .noContent)
            let sales = try await Self.list(owner, "team=\(teamID)&status=resolved")
            #expect(sales.data.map(\.id) == [kees.id!])
            #expect(sales.counts["status"]?["open"]?.total == 1, "the tabs count within the team")
        }
    }

    @Test func pagesNeitherRepeatNorSkipWhileMessagesArriveAtTheSameTime() async throws {
        try await WhatsAppHarness.run { harness in
            var all: [UUID] = []
            for index in 0..<9 {
                harness.clock.advance(by: 1)
                all.append(try await harness.conversation(of: "3160000010\(index)", name: "Klant \(index)").id!)
            }
            let newestFirst = Array(all.reversed())
            let first = try await Self.list(harness.owner, "limit=3")
            #expect(first.data.map(\.id) == Array(newestFirst[0..<3]))
            let cursor = try #require(first.next_cursor)

            // Meanwhile customers on the next pages write again, all at once: their conversations
            // move to the top, where the live list shows them.
            harness.clock.advance(by: 60)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in [2, 5] {
                    group.addTask {
                        _ = try await harness.stored(try await harness.customer("3160000010\(index)", name: "Klant \(index)").sendText("Nog iets"))
                    }
                }
                group.addTask { _ = try await Self.list(harness.owner, "limit=3&cursor=\(cursor)") }
                try await group.waitForAll()
            }
            let second = try await Self.list(harness.owner, "limit=3&cursor=\(cursor)")
            let third = try await Self.list(harness.owner, "limit=3&cursor=\(try #require(second.next_cursor))")
            #expect(third.next_cursor == nil)
            let paged = first.data.map(\.id) + second.data.map(\.id) + third.data.map(\.id)
            #expect(Set(paged).count == paged.count, "no conversation on two pages")
            let moved: Set<UUID> = [all[2], all[5]]
            #expect(Set(newestFirst).subtracting(moved).isSubset(of: Set(paged)), "every conversation that did not move is on a page")
            #expect(try await Self.list(harness.owner, "limit=2").data.map(\.id).allSatisfy(moved.contains), "the ones that moved lead the list")
        }
    }

    @Test func aFilterOrCursorThatIsNotUnderstoodIsAnErrorNotAnotherList() async throws {
        try await WhatsAppHarness.run { harness in
            for query in ["status=closed", "assignee=someone", "team=not-an-id", "tag=1", "cursor=%%%", "limit=0", "limit=1000"] {
                let response = try await harness.owner.api(.GET, "/api/v1/conversations?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.body.string.contains(#""code""#), "\(query): \(response.body.string)")
            }
        }
    }

    @Test func tabCountsAreOneSharedCountKeptForTheirMaxAge() async throws {
        try await WhatsAppHarness.run(variables: ["INBOX_COUNTS_MAX_AGE_MILLISECONDS": "60000"]) { harness in
            let conversation = try await harness.conversation(of: "31600000141", name: "Jan")
            #expect(try await Self.list(harness.owner, "").counts["status"]?["open"]?.total == 1)
            _ = try await harness.owner.api(.POST, "/api/v1/conversations/\(conversation.id!)/work", json: #"{"action":"resolve"}"#)
            let kept = try await Self.list(harness.owner, "")
            #expect(kept.data.isEmpty, "the rows are read fresh")
            #expect(kept.counts["status"]?["open"]?.total == 1, "the counts are the shared ones, up to a minute old here")

            let fresh = ConversationCounts(database: harness.db, maxAge: .zero)
            let buckets = try await fresh.buckets(organizationID: harness.organizationID, tagID: nil)
            #expect(buckets.filter { $0.key.status == .open }.values.reduce(0, +) == 0)
            #expect(buckets.filter { $0.key.status == .resolved }.values.reduce(0, +) == 1)
        }
    }
}
