@testable import App
import ADSappCore
import Fluent
import Foundation
import LLMSimulator
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Translation: what customers write is shown in each member's language with the original a click
/// away, and a reply is translated into the customer's language before it is sent, the member's own
/// words kept as a note.
@Suite("AI translation")
struct TranslationTests {
    static let sonnet = ConversationAssistanceTests.sonnet

    static func translation(from source: String, _ texts: [(String, String)]) -> LLMScriptedAnswer {
        let object: [String: Any] = ["source_language": source, "translations": texts.map { ["language": $0.0, "text": $0.1] }]
        return .text(String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
    }

    /// Translation on, a Dutch-reading colleague beside the English-reading owner, and a German
    /// customer whose message is translated into both.
    static func germanCustomer(_ harness: WhatsAppHarness, _ simulator: LLMSimulator) async throws -> (Conversation, Colleague) {
        #expect(try await harness.owner.post("/settings/ai", pairs: [("features[]", "translation")]).status == .seeOther)
        let dutch = try await harness.colleague("Dirk", role: .agent)
        #expect(try await dutch.browser.post("/language", ["language": "nl"]).status == .seeOther)
        simulator.script(Self.sonnet, translation(from: "de", [("en", "Where is my <b>cake</b>?"), ("nl", "Waar is mijn taart?")]))
        let conversation = try await harness.conversation(of: "491700000001", name: "Greta", saying: "Wo ist mein <b>Kuchen</b>?")
        try await harness.runJobsUntilIdle()
        return (conversation, dutch)
    }

    @Test("An inbound message is shown in each member's language, the original one click away, escaped like any text")
    func inbound() async throws {
        try await ConversationAssistanceTests().withAI { harness, simulator in
            let (conversation, dutch) = try await Self.germanCustomer(harness, simulator)
            let request = try #require(simulator.requests.first)
            #expect(request.messages.first?["content"] == AIPrompt.translation.instructions)
            #expect(request.responseFormat == "json_schema")
            let material = try ConversationAssistanceTests.material(request)
            #expect(material["text"] as? String == "Wo ist mein <b>Kuchen</b>?")
            #expect(material["languages"] as? [String] == ["en", "nl"])
            #expect(try await ConversationAIState.of(conversation.id!, in: harness.scope, now: harness.clock.now).customerLanguage == "de")

            let english = try await harness.owner.get("/inbox/\(conversation.id!)").body.string
            #expect(english.contains("Where is my &lt;b&gt;cake&lt;/b&gt;?"))
            #expect(!english.contains("<b>cake</b>"))
            #expect(english.contains("Translated from German (AI)"))
            #expect(
                english.contains("<details><summary>Show the original</summary><p class=\"text original\">Wo ist mein &lt;b&gt;Kuchen&lt;/b&gt;?</p></details>")
            )
            let dutchPage = try await dutch.browser.get("/inbox/\(conversation.id!)").body.string
            #expect(dutchPage.contains("Waar is mijn taart?"))
            #expect(dutchPage.contains("Vertaald uit het Duits (AI)"))

            // A customer writing in a member's language: no translation for that member.
            simulator.script(Self.sonnet, Self.translation(from: "en", [("en", "Hello there"), ("nl", "Hallo daar")]))
            let local = try await harness.conversation(of: "447700000002", name: "Harry", saying: "Hello there")
            try await harness.runJobsUntilIdle()
            let message = try #require(try await harness.scope.query(Message.self).filter(\.$conversation.$id == local.id!).first())
            #expect(try await harness.scope.query(MessageTranslation.self).filter(\.$messageID == message.id!).all().map(\.language) == ["nl"])
            #expect(!(try await harness.owner.get("/inbox/\(local.id!)").body.string.contains("data-testid=\"translated\"")))
            #expect(!(try await harness.owner.get("/inbox/\(local.id!)").body.string.contains("id=\"compose-translate\"")), "no translation to English")
        }
    }

    @Test("A reply is translated into the customer's language before it is sent, the member's words kept as a note")
    func reply() async throws {
        try await ConversationAssistanceTests().withAI { harness, simulator in
            let (conversation, _) = try await Self.germanCustomer(harness, simulator)
            let page = try await harness.owner.get("/inbox/\(conversation.id!)").body.string
            #expect(page.contains(#"id="compose-translate" name="translate" value="de" checked"#))
            #expect(page.contains("Translate into German before sending (AI)"))

            simulator.script(Self.sonnet, Self.translation(from: "en", [("de", "Ihr Kuchen kommt morgen.")]))
            let sent = try await harness.owner.post("/inbox/\(conversation.id!)/messages", ["text": "Your cake arrives tomorrow.", "translate": "de"])
            #expect(sent.status == .seeOther)
            let material = try ConversationAssistanceTests.material(simulator.requests.last)
            #expect(material["languages"] as? [String] == ["de"])
            #expect(material["text"] as? String == "Your cake arrives tomorrow.")
            try await harness.eventually("the German reply at WhatsApp") {
                harness.simulator.sentMessages.compactMap { $0.json["text"]?["body"]?.stringValue } == ["Ihr Kuchen kommt morgen."]
            }
            let notes = try await harness.scope.query(Note.self).filter(\.$conversation.$id == conversation.id!).all()
            #expect(notes.map(\.body) == ["Sent translated into German (AI). The original reply: Your cake arrives tomorrow."])
            #expect(notes.first?.authorName == "Anna de Vries")

            // Without the box ticked the reply goes as written.
            _ = try await harness.owner.post("/inbox/\(conversation.id!)/messages", ["text": "Danke!"])
            try await harness.eventually("the untranslated reply") { harness.simulator.sentMessages.count == 2 }
            #expect(simulator.requests.count == 2)
        }
    }

    @Test("A translation that fails sends nothing and gives the member's text back; too long a reply asks no model")
    func replyFailures() async throws {
        try await ConversationAssistanceTests().withAI { harness, simulator in
            let (conversation, _) = try await Self.germanCustomer(harness, simulator)
            let asked = simulator.requests.count
            simulator.script(Self.sonnet, .error(status: 500, message: "upstream down"))
            simulator.script(ConversationAssistanceTests.haiku, .error(status: 500, message: "upstream down"))
            let failed = try await harness.owner.post("/inbox/\(conversation.id!)/messages", ["text": "Your cake & tea arrive tomorrow.", "translate": "de"])
            #expect(failed.status == .badGateway)
            #expect(failed.body.string.contains("The AI provider did not answer"))
            #expect(failed.body.string.contains(">Your cake &amp; tea arrive tomorrow.</textarea>"))

            simulator.script(Self.sonnet, .text("Ihr Kuchen kommt morgen."))
            let prose = try await harness.owner.post("/inbox/\(conversation.id!)/messages", ["text": "Your cake arrives tomorrow.", "translate": "de"])
            #expect(prose.status == .badGateway)
            #expect(
                prose.body.string.contains("The AI&#39;s answer was not in the expected form.")
                    || prose.body.string.contains("The AI's answer was not in the expected form."))

            let long = String(repeating: "a", count: ReplyTranslation.maxLength + 1)
            let tooLong = try await harness.owner.post("/inbox/\(conversation.id!)/messages", ["text": long, "translate": "de"])
            #expect(tooLong.status == .unprocessableEntity)
            #expect(tooLong.body.string.contains("A reply to translate can be at most 3800 characters."))
            #expect(simulator.requests.count == asked + 3, "two for the failure (default and fallback), one for the prose, none for the long reply")
            try await harness.runJobsUntilIdle()
            #expect(harness.simulator.sentMessages.isEmpty)
            #expect(try await harness.scope.query(Note.self).filter(\.$conversation.$id == conversation.id!).count() == 0)
        }
    }

    @Test("Attacks: a viewer, another organization and a request without CSRF get no translation and send nothing")
    func attacks() async throws {
        try await ConversationAssistanceTests().withAI { harness, simulator in
            let (conversation, _) = try await Self.germanCustomer(harness, simulator)
            let asked = simulator.requests.count
            let viewer = try await harness.colleague("Vera", role: .viewer)
            #expect(try await viewer.browser.post("/inbox/\(conversation.id!)/messages", ["text": "Hi", "translate": "de"]).status == .forbidden)
            #expect(!(try await viewer.browser.get("/inbox/\(conversation.id!)").body.string.contains("compose-translate")))
            let stranger = try await harness.test.signUp(name: "Eve", organization: "Elsewhere", email: "eve@example.com")
            #expect(try await stranger.post("/inbox/\(conversation.id!)/messages", ["text": "Hi", "translate": "de"]).status == .notFound)
            #expect(
                try await harness.owner.post("/inbox/\(conversation.id!)/messages", ["text": "Hi", "translate": "de"], includeCSRF: false).status == .forbidden)
            #expect(simulator.requests.count == asked)
            try await harness.runJobsUntilIdle()
            #expect(harness.simulator.sentMessages.isEmpty)
        }
    }

    @Test("The answer is checked: every language asked for, a language code, text WhatsApp can carry")
    func outputChecks() throws {
        let good = #"{"source_language":"DE","translations":[{"language":"en","text":"Hi"},{"language":"nl","text":"Hoi"}]}"#
        let checked = try AIOutput.translation(good, into: ["en", "nl"])
        #expect(checked.source == "de")
        #expect(checked.texts == ["en": "Hi", "nl": "Hoi"])
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.translation(good, into: ["en", "fr"]) }
        #expect(throws: AIOutput.Problem.notTheSchema) {
            try AIOutput.translation(#"{"source_language":"German","translations":[{"language":"en","text":"Hi"}]}"#, into: ["en"])
        }
        #expect(throws: AIOutput.Problem.empty) {
            try AIOutput.translation(#"{"source_language":"de","translations":[{"language":"en","text":" "}]}"#, into: ["en"])
        }
        #expect(throws: AIOutput.Problem.notTheSchema) { try AIOutput.translation("Hi", into: ["en"]) }
    }
}
