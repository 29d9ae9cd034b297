@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Private notes: never sent, and a mention reaches the member named, and only them.
@Suite struct NotesTests {
    @Test func aNoteIsNeverSentAndItsMentionReachesOnlyTheMemberNamed() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000071", name: "Jan")
            let bram = try await harness.colleague("Bram Bakker")
            let carla = try await harness.colleague("Carla Kok")
            let bramTab = try await harness.liveTab(bram.browser)
            let carlaTab = try await harness.liveTab(carla.browser)

            let response = try await harness.owner.api(
                .POST, "/api/v1/conversations/\(conversation.id!)/notes",
                json: #"{"body":"@bram can you check the refund? (@nobody, @anna is me)"}"#)
            #expect(response.status == .created, "\(response.body.string)")

            try await bramTab.waitFor("Bram's mention") { $0.contains { $0.kind == "mention" } }
            try await carlaTab.waitFor("the note event") { $0.contains { $0.kind == "note" } }
            #expect(!carlaTab.received.contains { $0.kind == "mention" }, "a mention is for the mentioned only")
            #expect(bramTab.events.first { $0.kind == "mention" }?.conversation == conversation.id)
            try await bramTab.close(); try await carlaTab.close()

            let inbox = try await bram.browser.get("/inbox").body.string
            #expect(inbox.contains("You were mentioned (1)"))
            #expect(inbox.contains("Anna de Vries mentioned you about Jan"))
            #expect(!(try await carla.browser.get("/inbox").body.string.contains("You were mentioned")))
            let mentions = try await bram.browser.api(.GET, "/api/v1/mentions")
            #expect(mentions.body.string.contains(conversation.id!.uuidString))
            #expect(mentions.body.string.contains(#""seen":false"#), "the API lists it as new once")
            #expect(try await carla.browser.api(.GET, "/api/v1/mentions").body.string == "[]")
            // Opening the conversation is seeing its mentions.
            _ = try await bram.browser.get("/inbox/\(conversation.id!)")
            #expect(!(try await bram.browser.get("/inbox").body.string.contains("You were mentioned")))
            #expect(try await bram.browser.api(.GET, "/api/v1/mentions").body.string.contains(#""seen":true"#))
            #expect(try await harness.scope.query(Mention.self).count() == 1, "no mention of oneself or of nobody")

            // Nothing reached WhatsApp: no outbound message, nothing at the simulator.
            #expect(try await harness.scope.query(Message.self).filter(\.$direction == .outbound).count() == 0)
            let notes = try await harness.owner.api(.GET, "/api/v1/conversations/\(conversation.id!)/notes")
            #expect(notes.body.string.contains("can you check the refund"))
            #expect(try await harness.owner.get("/inbox/\(conversation.id!)").body.string.contains("can you check the refund"), "shown in the thread")

            let empty = try await harness.owner.api(.POST, "/api/v1/conversations/\(conversation.id!)/notes", json: #"{"body":"   "}"#)
            #expect(empty.status == .badRequest)
            let long = try await harness.owner.api(
                .POST, "/api/v1/conversations/\(conversation.id!)/notes", json: #"{"body":"\#(String(repeating: "x", count: 4001))"}"#)
            #expect(long.status == .badRequest)
            #expect(try await harness.scope.query(Note.self).count() == 1)
        }
    }

    @Test(arguments: [
        ("@bram", ["bram"]), ("@BramBakker en @carla.kok", ["bram", "carla"]), ("mail bram@example.com", []),
        ("@bram @bram", ["bram"]), ("@Bram, @onbekend.", ["bram"]), ("@ada", ["ada"]),
    ])
    func mentionsAreFoundByFirstNameFullNameOrEmail(_ body: String, _ expected: [String]) {
        let members: [String: UUID] = ["bram": UUID(), "carla": UUID(), "ada": UUID()]
        let found = Notes.mentioned(
            in: body,
            among: [
                (id: members["bram"]!, name: "Bram Bakker", email: "bram@example.com"),
                (id: members["carla"]!, name: "Carla de Kok", email: "carla.kok@example.com"),
                (id: members["ada"]!, name: "Ada", email: "a.lovelace@example.com"),
            ])
        #expect(found == expected.map { members[$0]! })
    }

    @Test func cannedResponsesFillTheContactsDetails() {
        let text = CannedResponseText.fill(
            "Hoi {{first_name}}, {{ agent }} hier. We bellen {{phone}}. {{unknown}}", contactName: "Jan Jansen", phone: "31612345678", agent: "Anna")
        #expect(text == "Hoi Jan, Anna hier. We bellen +31612345678. {{unknown}}")
        #expect(CannedResponseText.fill("Hoi {{name}}", contactName: nil, phone: nil, agent: "Anna") == "Hoi ")
    }
}
