@testable import App
import ADSappCore
import Fluent
import Foundation
import LLMSimulator
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Sentiment: inbound text classified for organizations that turned it on, shown in the thread and
/// filterable in the list; an answer outside the schema classifies nothing.
@Suite("AI sentiment")
struct SentimentTests {
    static let sonnet = ConversationAssistanceTests.sonnet

    @Test("An inbound message is classified with a JSON schema, shown in the thread and filterable in the list and the API")
    func classifies() async throws {
        try await ConversationAssistanceTests().withAI { harness, simulator in
            let saved = try await harness.owner.post("/settings/ai", pairs: [("features[]", "draft"), ("features[]", "sentiment")])
            #expect(saved.status == .seeOther)
            simulator.script(Self.sonnet, .text(#"{"sentiment":"negative","confidence":0.92}"#))
            let angry = try await harness.conversation(of: "31600000801", name: "Boos", saying: "Mijn taart is nog steeds niet bezorgd!")
            _ = try await harness.runJobsUntilIdle()
            let calm = try await harness.conversation(of: "31600000802", name: "Kalm", saying: "Dank je wel, alles is goed aangekomen")
            _ = try await harness.runJobsUntilIdle()

            let message = try #require(try await harness.scope.query(Message.self).filter(\.$conversation.$id == angry.id!).first())
            #expect(message.sentiment == "negative")
            #expect(try await harness.reload(angry).sentiment == "negative")
            let request = try #require(simulator.requests.first)
            #expect(request.responseFormat == "json_schema")
            #expect(request.messages.first?["content"] == AIPrompt.sentiment.instructions)
            #expect(try ConversationAssistanceTests.material(request)["business_notes"] as? String == "", "the notes are for drafts only")
            // The simulator's unscripted answer is not the schema's JSON: the calm one stays unclassified.
            #expect(try await harness.reload(calm).sentiment == nil)
            let usage = try await harness.db.sql.raw("SELECT prompt FROM ai_usage WHERE feature = 'sentiment'").all()
            #expect(try usage.map { try $0.decode(column: "prompt", as: String.self) }.allSatisfy { $0 == "sentiment/v1" })

            let thread = try await harness.owner.get("/inbox/\(angry.id!)").body.string
            #expect(thread.contains(#"data-sentiment="negative""#))
            #expect(thread.contains("sounds negative (AI)"))
            let inbox = try await harness.owner.get("/inbox?sentiment=negative").body.string
            #expect(inbox.contains(#"id="filter-sentiment""#))
            #expect(inbox.contains("Boos"))
            #expect(!inbox.contains("Kalm"))
            #expect(!(try await harness.owner.get("/inbox?sentiment=positive").body.string.contains("Boos")))
            let api = try await harness.owner.api(.GET, "/api/v1/conversations?sentiment=negative")
            #expect(api.status == .ok)
            #expect(api.body.string.contains(angry.id!.uuidString))
            #expect(!api.body.string.contains(calm.id!.uuidString))
            let wrong = try await harness.owner.api(.GET, "/api/v1/conversations?sentiment=furious")
            #expect(wrong.status == .badRequest)
            #expect(wrong.body.string.contains("sentiment must be one of: positive, neutral, negative."))
        }
    }

    @Test("Off by default: no message is sent to the provider and no job is queued")
    func offByDefault() async throws {
        try await ConversationAssistanceTests().withAI { harness, simulator in
            _ = try await harness.conversation(of: "31600000803", name: "Anna", saying: "Hallo")
            _ = try await harness.runJobsUntilIdle()
            #expect(simulator.requests.isEmpty)
            let jobs = try await harness.db.sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'ai.sentiment'").first()
            #expect(try jobs?.decode(column: "n", as: Int.self) == 0)
            #expect(!(try await harness.owner.get("/inbox").body.string.contains(#"id="filter-sentiment""#)))
        }
    }

    @Test("The answer is checked against the schema: a fenced JSON object passes, prose, unknown values and a confidence out of range do not")
    func outputChecks() throws {
        #expect(try AIOutput.sentiment(#"{"sentiment":"positive","confidence":0.7}"#) == (.positive, 0.7))
        #expect(try AIOutput.sentiment("```json\n{\"sentiment\":\"neutral\",\"confidence\":1}\n```") == (.neutral, 1))
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.sentiment("The customer sounds negative.") }
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.sentiment(#"{"sentiment":"furious","confidence":0.9}"#) }
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.sentiment(#"{"sentiment":"negative","confidence":7}"#) }
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.sentiment(#"{"sentiment":"negative"}"#) }
        #expect(throws: AIOutput.Problem.empty) { try AIOutput.sentiment("  ") }
    }
}
