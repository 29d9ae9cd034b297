@testable import App
import Fluent
import Foundation
import Jobs
import Testing
import Vapor
import VaporTesting

/// Round-robin assignment: the least-loaded available member first, never past capacity, and
/// what does not fit waits until capacity frees up.
@Suite struct AutomaticAssignmentTests {
    @Test func newConversationsGoInTurnToTheLeastLoadedAvailableMemberUpToTheirCapacity() async throws {
        try await WhatsAppHarness.run { harness in
            let ada = try await harness.colleague("Ada Agent")
            let bob = try await harness.colleague("Bob Agent")
            let cas = try await harness.colleague("Cas Away")
            for member in [ada, bob] {
                #expect(try await harness.owner.api(.PUT, "/api/v1/members/\(member.id)/capacity", json: #"{"capacity":2}"#).status == .ok)
            }
            #expect(try await cas.browser.api(.PUT, "/api/v1/me/availability", json: #"{"available":false}"#).status == .ok)
            let team = try await harness.owner.api(
                .POST, "/api/v1/teams", json: #"{"name":"Webshop","auto_assign":true,"member_ids":["\#(ada.id)","\#(bob.id)","\#(cas.id)"]}"#)
            let teamID = try team.content.decode(InboxAPIController.TeamBody.self).id
            let connection = try #require(try await harness.scope.find(WhatsAppConnection.self, harness.connectionID))
            connection.$team.id = teamID
            try await connection.save(on: harness.db)

            var conversations: [Conversation] = []
            for index in 1...5 {
                harness.clock.advance(by: 1)
                conversations.append(try await harness.conversation(of: "3160000005\(index)", name: "Klant \(index)"))
            }
            try await harness.eventually("four conversations assigned") {
                try await harness.scope.query(Conversation.self).filter(\.$assignee.$id != nil).count() == 4
            }
            let all = try await harness.scope.query(Conversation.self).all()
            #expect(all.allSatisfy { $0.$team.id == teamID }, "new conversations belong to the number's team")
            let load = Dictionary(grouping: all.compactMap(\.$assignee.id), by: { $0 }).mapValues(\.count)
            #expect(load == [ada.id: 2, bob.id: 2], "balanced, capped at 2, nothing for the member who is away")
            let waiting = try #require(all.first { $0.$assignee.id == nil })
            #expect(waiting.id == conversations.last!.id, "the newest waits")

            // Bob resolves one: the waiting conversation goes to him.
            let bobs = try #require(all.first { $0.$assignee.id == bob.id })
            #expect(try await bob.browser.api(.POST, "/api/v1/conversations/\(bobs.id!)/work", json: #"{"action":"resolve"}"#).status == .noContent)
            try await harness.eventually("the waiting conversation assigned") { try await harness.reload(waiting).$assignee.id == bob.id }

            // Cas comes back and gets the next one; both others are full.
            #expect(try await cas.browser.api(.PUT, "/api/v1/me/availability", json: #"{"available":true}"#).status == .ok)
            let next = try await harness.conversation(of: "31600000059", name: "Klant 9")
            try await harness.eventually("the next conversation goes to Cas") { try await harness.reload(next).$assignee.id == cas.id }
        }
    }

    @Test func equalLoadsTakeTurnsAndAManualAssignmentIsNeverOverwritten() async throws {
        try await WhatsAppHarness.run { harness in
            let ada = try await harness.colleague("Ada Agent")
            let bob = try await harness.colleague("Bob Agent")
            let team = Team(organizationID: harness.organizationID, name: "Shop", autoAssign: true, createdAt: harness.clock.now)
            try await team.create(on: harness.db)
            for member in [ada, bob] {
                try await TeamMember(organizationID: harness.organizationID, teamID: team.id!, membershipID: member.id).create(on: harness.db)
            }
            var conversations: [Conversation] = []
            for index in 1...4 {
                harness.clock.advance(by: 1)
                let conversation = try await harness.conversation(of: "3160000006\(index)", name: "Klant \(index)")
                conversation.$team.id = team.id
                try await conversation.save(on: harness.db)
                conversations.append(conversation)
            }
            // One is taken by hand; that change starts a round for the team, which assigns the rest.
            _ = try await harness.owner.api(.POST, "/api/v1/conversations/\(conversations[0].id!)/work", json: #"{"action":"assign","assignee_id":"me"}"#)
            try await harness.eventually("the other three assigned") {
                try await harness.scope.query(Conversation.self).filter(\.$assignee.$id == nil).count() == 0
            }
            let again = try await harness.scope.transaction { scope in
                try await AutomaticAssignment(scope: scope, teamID: team.id!, wakeUp: harness.app.backgroundJobs.inboxWakeUp, now: harness.clock.now).run()
            }
            #expect(again == 0, "nothing left to assign")
            #expect(try await harness.reload(conversations[0]).$assignee.id == (try await harness.ownerMembership.id))
            let owners = try await conversations[1...].asyncMap { try await harness.reload($0).$assignee.id }
            #expect(owners.filter { $0 == ada.id }.count + owners.filter { $0 == bob.id }.count == 3)
            #expect(abs(owners.filter { $0 == ada.id }.count - owners.filter { $0 == bob.id }.count) == 1, "they take turns")
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
