@testable import App
import ADSappCore
import Fluent
import Foundation
import LLMSimulator
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Settings → AI assistance: admins choose the features, the model, a budget below the platform's
/// and the notes drafts use, and see this month's usage per feature.
@Suite("AI settings page")
struct AISettingsPageTests {
    @Test("Admins see the defaults and this month's usage per feature as a chart and a table, in English and Dutch")
    func showsUsage() async throws {
        try await ConversationAssistanceTests().withAI { harness, simulator in
            let empty = try await harness.owner.get("/settings/ai")
            #expect(empty.status == .ok)
            let page = empty.body.string
            #expect(page.contains(#"id="feature-draft" name="features[]" value="draft" checked"#), "drafts are on by default")
            #expect(page.contains(#"id="feature-summary" name="features[]" value="summary" checked"#))
            #expect(page.contains("No AI help was asked for this month."))
            #expect(
                page.contains("the server&#39;s default (anthropic/claude-3.5-sonnet)") || page.contains("the server's default (anthropic/claude-3.5-sonnet)"))
            #expect(try await harness.owner.get("/settings").body.string.contains(#"href="/settings/ai""#))

            let conversation = try await harness.conversation(of: "31600000701", name: "Eva")
            _ = try await ConversationAssistanceTests.streamDraft(harness.owner, conversation.id!)
            _ = try await ConversationAssistanceTests.streamDraft(harness.owner, conversation.id!)
            _ = try await harness.owner.post("/inbox/\(conversation.id!)/summary")
            #expect(simulator.requests.count == 3)

            let used = try await harness.owner.get("/settings/ai").body.string
            #expect(used.contains(#"data-testid="ai-usage-chart""#))
            #expect(used.contains("Requests this month: 3; spent"))
            let table = try #require(used.range(of: #"id="ai-usage""#).map { String(used[$0.lowerBound...].prefix(1_500)) })
            #expect(table.range(of: "Reply drafts</td><td>2</td>") != nil, "\(table)")
            #expect(table.contains("Summaries</td><td>1</td>"))

            _ = try await harness.owner.post("/language", ["language": "nl"])
            let dutch = try await harness.owner.get("/settings/ai").body.string
            #expect(dutch.contains("<h1>AI-hulp</h1>"))
            #expect(dutch.contains("Verzoeken deze maand: 3;"))
            #expect(dutch.contains("Conceptantwoorden</td><td>2</td>"))
        }
    }

    @Test("Saved choices take effect: features, the organization's model, a budget under the platform's, the notes")
    func savesChoices() async throws {
        try await ConversationAssistanceTests().withAI(["AI_MONTHLY_BUDGET_USD": "10"]) { harness, simulator in
            let saved = try await harness.owner.post(
                "/settings/ai",
                pairs: [("features[]", "draft"), ("model", "openai/gpt-4o-mini"), ("budget", "2,50"), ("knowledge", "  Wij bakken op zondag.  ")])
            #expect(saved.status == .seeOther)
            let settings = try #require(try await harness.scope.query(OrganizationAISettings.self).first())
            #expect(settings.enabledFeatures == [.draft])
            #expect(settings.model == "openai/gpt-4o-mini")
            #expect(settings.monthlyBudget == 2.5)
            #expect(settings.knowledge == "Wij bakken op zondag.")
            let page = try await harness.owner.get("/settings/ai?notice=saved").body.string
            #expect(page.contains("The AI settings are saved."))
            #expect(page.contains(#"value="openai/gpt-4o-mini""#))
            #expect(page.contains("of the $2.50 budget"))

            let conversation = try await harness.conversation(of: "31600000702", name: "Ruud")
            _ = try await ConversationAssistanceTests.streamDraft(harness.owner, conversation.id!)
            #expect(simulator.requests.last?.model == "openai/gpt-4o-mini")
        }
    }

    @Test("Bad input is refused with the reason and changes nothing")
    func refusesBadInput() async throws {
        try await ConversationAssistanceTests().withAI(["AI_MONTHLY_BUDGET_USD": "10"]) { harness, _ in
            let cases: [([(String, String)], String)] = [
                ([("model", "claude")], "Write the model as the provider names it"),
                ([("model", "anthropic/claude 3")], "Write the model as the provider names it"),
                ([("budget", "50")], "The budget must be an amount from 0 to $10.00."),
                ([("budget", "-1")], "The budget must be an amount from 0 to $10.00."),
                ([("budget", "lots")], "The budget must be an amount from 0 to $10.00."),
                ([("features[]", "autoAnswer")], "That is not an AI feature this server offers."),
                ([("auto_answer_when", "sometimes")], "Choose when automatic answers may go out."),
                ([("auto_answer_when", "outside_hours")], "Answering only during or only outside business hours needs the business hours."),
                ([("hours_mon_opens", "09:00")], "a day closes after it opens: Monday."),
                ([("hours_tue_opens", "18:00"), ("hours_tue_closes", "09:00")], "a day closes after it opens: Tuesday."),
                ([("hours_wed_opens", "9 am"), ("hours_wed_closes", "17:00")], "a day closes after it opens: Wednesday."),
                ([("handoff_keywords", String(repeating: "w", count: 51))], "At most 50 hand-off words, each at most 50 characters."),
                ([("handoff_keywords", (1...51).map { "word\($0)" }.joined(separator: "\n"))], "At most 50 hand-off words"),
                ([("auto_answer_confidence", "101")], "The confidence needed is a whole number from 0 to 100."),
                ([("auto_answer_confidence", "0.7")], "The confidence needed is a whole number from 0 to 100."),
                ([("auto_answer_limit", "0")], "a whole number from 1 to 20."),
                ([("auto_answer_limit", "many")], "a whole number from 1 to 20."),
                ([("features[]", "everything")], "That is not an AI feature this server offers."),
                ([("knowledge", String(repeating: "a", count: 8_001))], "can be at most 8,000 characters"),
            ]
            for (pairs, message) in cases {
                let response = try await harness.owner.post("/settings/ai", pairs: pairs)
                #expect(response.status == .unprocessableEntity, "\(pairs.map(\.0))")
                #expect(response.body.string.contains(message), "\(pairs.map(\.0)): \(message)")
            }
            #expect(try await harness.scope.query(OrganizationAISettings.self).count() == 0, "nothing was saved")

            // What was typed comes back in the form, to be mended rather than typed again.
            let typed = try await harness.owner.post(
                "/settings/ai",
                pairs: [
                    ("features[]", "summary"), ("model", "openai/gpt-4o"), ("budget", "lots"), ("knowledge", "Wij bakken op zondag"), ("categories", "Klacht"),
                    ("auto_answer_when", "inside_hours"), ("hours_fri_opens", "08:30"), ("hours_fri_closes", "12:00"), ("handoff_keywords", "mens"),
                    ("auto_answer_confidence", "85"), ("auto_answer_limit", "5"),
                ])
            #expect(typed.status == .unprocessableEntity)
            let body = typed.body.string
            #expect(body.contains(#"value="lots""#))
            #expect(body.contains(#"value="openai/gpt-4o""#))
            #expect(body.contains(">Wij bakken op zondag</textarea>"))
            #expect(body.contains(">Klacht</textarea>"))
            #expect(body.contains(#"<option value="inside_hours" selected>"#))
            #expect(body.contains(#"name="hours_fri_opens" value="08:30""#))
            #expect(body.contains(#"name="hours_fri_closes" value="12:00""#))
            #expect(body.contains(">mens</textarea>"))
            #expect(body.contains(#"name="auto_answer_confidence" value="85""#))
            #expect(body.contains(#"name="auto_answer_limit" value="5""#))
            #expect(body.contains(#"id="feature-summary" name="features[]" value="summary" checked"#))
            #expect(!body.contains(#"id="feature-draft" name="features[]" value="draft" checked"#))
        }
    }

    @Test("Attacks: agents and viewers may neither see nor change the AI settings, another organization's are out of reach, and a change needs CSRF")
    func attacks() async throws {
        try await ConversationAssistanceTests().withAI { harness, _ in
            for role in [Role.agent, .viewer] {
                let member = try await harness.colleague("Member \(role.rawValue)", role: role)
                #expect(try await member.browser.get("/settings/ai").status == .forbidden)
                #expect(try await member.browser.post("/settings/ai", ["features[]": "draft"]).status == .forbidden)
                #expect(!(try await member.browser.get("/settings").body.string.contains(#"href="/settings/ai""#)))
            }
            let admin = try await harness.colleague("Ada Admin", role: .admin)
            #expect(try await admin.browser.get("/settings/ai").status == .ok)
            #expect(try await harness.owner.post("/settings/ai", ["features[]": "draft"], includeCSRF: false).status == .forbidden)

            // An owner elsewhere saves their own organization's settings, never these.
            let outsider = try await harness.test.signUp(name: "Olaf Outsider", organization: "Elsewhere", email: "olaf@elsewhere.example")
            #expect(try await outsider.post("/settings/ai", ["knowledge": "Elsewhere's notes"]).status == .seeOther)
            #expect(try await harness.scope.query(OrganizationAISettings.self).count() == 0)
            #expect(try await OrganizationAISettings.query(on: harness.db).count() == 1)
        }
    }

    @Test(
        "An organization's own provider key: sealed, never shown back, used for its requests, lifting the server's budget ceiling; removed, the server's key again"
    )
    func ownKey() async throws {
        try await ConversationAssistanceTests().withAI(["AI_MONTHLY_BUDGET_USD": "10"]) { harness, simulator in
            let key = "sk-or-v1-organization-0123456789"
            simulator.accept(apiKey: key)
            for bad in ["short", "sk-or with spaces 123"] {
                let refused = try await harness.owner.post("/settings/ai", ["api_key": bad])
                #expect(refused.status == .unprocessableEntity)
                #expect(refused.body.string.contains("That does not look like a provider key"))
            }
            #expect(try await harness.owner.post("/settings/ai", ["budget": "50"]).status == .unprocessableEntity, "the server's ceiling, without a key")
            let saved = try await harness.owner.post("/settings/ai", pairs: [("features[]", "draft"), ("api_key", key), ("budget", "50")])
            #expect(saved.status == .seeOther)
            let settings = try #require(try await harness.scope.query(OrganizationAISettings.self).first())
            #expect(settings.monthlyBudget == 50, "its own key lifts the server's ceiling")
            let sealed = try #require(settings.apiKeySealed)
            #expect(!String(decoding: sealed, as: UTF8.self).contains("organization-0123456789"), "sealed, not stored as written")
            let page = try await harness.owner.get("/settings/ai").body.string
            #expect(page.contains("own key is saved"))
            #expect(!page.contains(key), "never shown back")

            let conversation = try await harness.conversation(of: "31600000703", name: "Sleutel")
            _ = try await ConversationAssistanceTests.streamDraft(harness.owner, conversation.id!)
            #expect(simulator.requests.last?.apiKey == key)

            // Saving without a key keeps it; removing it goes back to the server's key.
            _ = try await harness.owner.post("/settings/ai", pairs: [("features[]", "draft"), ("knowledge", "Nieuw")])
            #expect(try await harness.scope.query(OrganizationAISettings.self).first()?.apiKeySealed == sealed)
            _ = try await harness.owner.post("/settings/ai", pairs: [("features[]", "draft"), ("remove_api_key", "on")])
            #expect(try await harness.scope.query(OrganizationAISettings.self).first()?.apiKeySealed == nil)
            _ = try await ConversationAssistanceTests.streamDraft(harness.owner, conversation.id!)
            #expect(simulator.requests.last?.apiKey == simulator.apiKey)
        }
    }
}
