@testable import App
import ADSappCore
import Fluent
import Foundation
import LLMSimulator
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Categories: a new conversation is sorted into one of the organization's own categories, which
/// becomes its tag; "none", an unsure answer or one outside the categories tags nothing.
@Suite("AI categories")
struct CategoryTests {
    static let sonnet = ConversationAssistanceTests.sonnet

    func tagNames(_ harness: WhatsAppHarness, _ conversation: Conversation) async throws -> [String] {
        let links = try await harness.scope.query(ConversationTag.self).filter(\.$conversation.$id == conversation.id!).with(\.$tag).all()
        return links.map(\.tag.name).sorted()
    }

    @Test("A new conversation gets the category it fits as a tag, once; the schema lists the organization's categories")
    func categorizes() async throws {
        try await ConversationAssistanceTests().withAI { harness, simulator in
            let existing = Tag(organizationID: harness.organizationID, name: "Vraag", createdAt: harness.clock.now)
            try await existing.create(on: harness.db)
            let saved = try await harness.owner.post(
                "/settings/ai", pairs: [("features[]", "category"), ("categories", "Bestelling\r\nKlacht\r\n\r\nVraag\r\nKlacht")])
            #expect(saved.status == .seeOther)
            let settings = try #require(try await harness.scope.query(OrganizationAISettings.self).first())
            #expect(settings.categories == ["Bestelling", "Klacht", "Vraag"], "blank lines and repeats dropped")

            simulator.script(Self.sonnet, .text(#"{"category":"Klacht","confidence":0.9}"#))
            let complaint = try await harness.conversation(of: "31600000901", name: "Klager", saying: "Mijn taart is kapot aangekomen")
            _ = try await harness.runJobsUntilIdle()
            #expect(try await tagNames(harness, complaint) == ["Klacht"])
            let request = try #require(simulator.requests.last)
            #expect(request.responseFormat == "json_schema")
            #expect(request.messages.first?["content"] == AIPrompt.category.instructions)
            #expect(try ConversationAssistanceTests.material(request)["categories"] as? [String] == ["Bestelling", "Klacht", "Vraag"])

            // Categorized once: a later message asks nothing.
            _ = try await harness.stored(try await harness.customer("31600000901", name: "Klager").sendText("Hallo??"))
            _ = try await harness.runJobsUntilIdle()
            #expect(simulator.requests.count == 1)

            simulator.script(Self.sonnet, .text(#"{"category":"Vraag","confidence":0.8}"#))
            let question = try await harness.conversation(of: "31600000902", name: "Vrager", saying: "Zijn jullie zondag open?")
            _ = try await harness.runJobsUntilIdle()
            #expect(try await tagNames(harness, question) == ["Vraag"])
            #expect(try await harness.scope.query(Tag.self).filter(\.$name == "Vraag").count() == 1, "the existing tag, not a second one")

            for (waID, answer) in [
                ("31600000903", #"{"category":"none","confidence":0.9}"#), ("31600000904", #"{"category":"Bestelling","confidence":0.3}"#),
                ("31600000905", #"{"category":"Onzin","confidence":0.9}"#),
            ] {
                simulator.script(Self.sonnet, .text(answer))
                let conversation = try await harness.conversation(of: waID, name: "Klant \(waID.suffix(1))", saying: "Hoi")
                _ = try await harness.runJobsUntilIdle()
                #expect(try await tagNames(harness, conversation).isEmpty, "\(answer)")
            }
            let usage = try await harness.db.sql.raw("SELECT COUNT(*) AS n FROM ai_usage WHERE feature = 'category' AND prompt = 'category/v1'").first()
            #expect(try usage?.decode(column: "n", as: Int.self) == 5)
        }
    }

    @Test("Categories are checked when saved: names of a tag's length, not \"none\", at most twenty")
    func refusesBadCategories() async throws {
        try await ConversationAssistanceTests().withAI { harness, _ in
            for (categories, message) in [
                (String(repeating: "x", count: 61), "A category is a tag name of at most 60 characters"),
                ("Klacht\nnone", "A category is a tag name of at most 60 characters"),
                ((1...21).map { "Categorie \($0)" }.joined(separator: "\n"), "At most 20 categories."),
            ] {
                let response = try await harness.owner.post("/settings/ai", ["categories": categories])
                #expect(response.status == .unprocessableEntity)
                #expect(response.body.string.contains(message))
            }
            #expect(try await harness.scope.query(OrganizationAISettings.self).count() == 0)
        }
    }

    @Test("An answer is one of the categories as written, or none; unsure answers tag nothing")
    func outputChecks() throws {
        let categories = ["Bestelling", "Klacht"]
        #expect(try AIOutput.category(#"{"category":"Klacht","confidence":0.61}"#, among: categories) == "Klacht")
        #expect(try AIOutput.category(#"{"category":"none","confidence":1}"#, among: categories) == nil)
        #expect(try AIOutput.category(#"{"category":"Klacht","confidence":0.59}"#, among: categories) == nil)
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.category(#"{"category":"klacht","confidence":0.9}"#, among: categories) }
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.category(#"{"category":"Klacht","confidence":2}"#, among: categories) }
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.category("Klacht", among: categories) }
        let schema = try JSONSerialization.jsonObject(with: Data(AIOutput.categorySchema(categories).text.utf8)) as? [String: Any]
        let properties = schema?["properties"] as? [String: Any]
        #expect((properties?["category"] as? [String: Any])?["enum"] as? [String] == ["Bestelling", "Klacht", "none"])
    }
}
