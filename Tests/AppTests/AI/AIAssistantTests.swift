@testable import App
import ADSappCore
import Fluent
import Foundation
import LLM
import LLMSimulator
import SQLKit
import Testing

@Suite("AI assistant: credits, budget and usage")
struct AIAssistantTests {
    static let sonnet = "anthropic/claude-3.5-sonnet"
    static let haiku = "anthropic/claude-3-haiku"

    /// An app whose AI goes to a started simulator (one token costs $0.001 on the default model).
    func withAI(_ variables: [String: String] = [:], _ body: (TestApp, LLMSimulator, AIAssistant) async throws -> Void) async throws {
        let simulator = LLMSimulator(prices: [Self.sonnet: 0.001, Self.haiku: 0.0001])
        let baseURL = try await simulator.start()
        do {
            var environment = ["OPENROUTER_API_KEY": simulator.apiKey, "OPENROUTER_BASE_URL": baseURL.absoluteString]
            environment.merge(variables) { $1 }
            try await TestApp.run(variables: environment) { app in
                try await app.signUp(email: "owner@ai.example")
                let organization = try await app.organization(named: "Bakkerij Anna")
                try await body(app, simulator, Self.assistant(app, organization))
            }
        } catch {
            try await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    static func assistant(_ app: TestApp, _ organization: Organization) throws -> AIAssistant {
        let configuration = app.app.context.configuration
        return AIAssistant(
            scope: TenantScope(organizationID: try organization.requireID(), database: app.db), settings: configuration.ai,
            billing: BillingAccess(settings: configuration.billing, now: app.clock.now),
            client: { settings in
                ChatCompletionsClient(
                    LLMConfiguration(
                        baseURL: settings.baseURL.absoluteString, apiKey: settings.apiKey, defaultModel: settings.defaultModel,
                        fallbackModel: settings.fallbackModel, timeout: 10))
            }, now: app.clock.now, timeZone: .gmt)
    }

    let question = ChatRequest(messages: [.init(.user, "Vat dit gesprek samen")])

    @Test("Each request is recorded for its organization and feature with the model that answered, its tokens and cost; the configured limits are sent")
    func recordsUsage() async throws {
        try await withAI(["OPENROUTER_MAX_TOKENS": "300", "OPENROUTER_TEMPERATURE": "0.2"]) { app, simulator, assistant in
            _ = try await assistant.complete(question, for: .summary)
            simulator.script(Self.sonnet, .error(status: 503, message: "Overloaded"))
            let fallen = try await assistant.complete(question, for: .draft)
            #expect(fallen.model == Self.haiku)
            let rows = try await app.db.sql.raw("SELECT feature, model, prompt_tokens, completion_tokens, cost FROM ai_usage ORDER BY feature").all()
            #expect(try rows.map { try $0.decode(column: "feature", as: String.self) } == ["draft", "summary"])
            #expect(try rows.map { try $0.decode(column: "model", as: String.self) } == [Self.haiku, Self.sonnet])
            #expect(try rows[1].decode(column: "prompt_tokens", as: Int.self) == 4)
            #expect(abs(try rows[1].decode(column: "cost", as: Double.self) - 10 * 0.001) < 1e-9, "4 words asked, 6 answered")
            #expect(simulator.requests.first?.maxTokens == 300)
            #expect(simulator.requests.first?.temperature == 0.2)
            let used = try await assistant.usedThisMonth()
            #expect(used.requests == 2)
        }
    }

    @Test("A spent monthly budget stops every AI feature with a clear message before the provider is asked")
    func budget() async throws {
        try await withAI(["AI_MONTHLY_BUDGET_USD": "0.01"]) { _, simulator, assistant in
            _ = try await assistant.complete(question, for: .summary)
            await #expect {
                try await assistant.complete(question, for: .draft)
            } throws: { error in
                guard case AIRefusal.budgetSpent(let budget, let spent) = error else { return false }
                return budget == 0.01 && spent >= 0.01 && error.localizedDescription.isEmpty == false
            }
            #expect(simulator.requests.count == 1)
        }
    }

    @Test("Without a provider key AI is off, with a reason")
    func notConfigured() async throws {
        try await TestApp.run { app in
            try await app.signUp(email: "owner@noai.example")
            let assistant = try Self.assistant(app, try await app.organization(named: "Bakkerij Anna"))
            await #expect(throws: AIRefusal.notConfigured) { try await assistant.complete(question, for: .summary) }
        }
    }

    @Test("The plan's AI credits: none without a plan, and the hundred of Starter are a hundred requests a month")
    func credits() async throws {
        let simulator = LLMSimulator()
        let baseURL = try await simulator.start()
        try await BillingHarness.run(variables: ["OPENROUTER_API_KEY": simulator.apiKey, "OPENROUTER_BASE_URL": baseURL.absoluteString]) { billing in
            let (organization, customer, _) = try await billing.organizationWithCustomer("Credits", email: "owner@credits.example")
            let found = try #require(try await Organization.find(organization, on: billing.db))
            await #expect {
                try await Self.assistant(billing.test, found).complete(question, for: .summary)
            } throws: { ($0 as? AIRefusal) == .plan(.needsPlan) }

            _ = try await billing.subscribe(organization, customer: customer, price: BillingHarness.prices[0])
            let assistant = try Self.assistant(billing.test, found)
            for _ in 0..<99 {
                try await assistant.record(ChatAnswer(id: "x", model: "m", content: "", finishReason: nil, usage: nil), feature: .sentiment, prompt: nil)
            }
            _ = try await assistant.complete(question, for: .summary)
            await #expect {
                try await assistant.complete(question, for: .summary)
            } throws: { error in
                guard case AIRefusal.plan(.limit(.monthlyAICredits, let allowed, let used, .starter)) = error else { return false }
                return allowed == 100 && used == 100 && error.localizedDescription.isEmpty == false
            }
            #expect(simulator.requests.count == 1)

            // With its own key the organization pays the provider itself: the credits no longer apply.
            simulator.accept(apiKey: "sk-or-own-key-123456")
            let vault = billing.test.app.whatsApp.vault
            let own = OrganizationAISettings(organizationID: organization, now: billing.test.clock.now)
            own.apiKeySealed = try await vault.seal("sk-or-own-key-123456", for: organization, purpose: .aiProviderKey, on: billing.db)
            try await own.create(on: billing.db)
            var withKey = try Self.assistant(billing.test, found)
            withKey.vault = vault
            _ = try await withKey.complete(question, for: .summary)
            #expect(simulator.requests.last?.apiKey == "sk-or-own-key-123456")
        }
        try await simulator.shutdown()
    }

    @Test("The provider's address must be https, or plain http on a loopback address")
    func configuration() throws {
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.load(
                from: ["OPENROUTER_API_KEY": "k", "OPENROUTER_BASE_URL": "http://llm.example/api/v1"], environment: .testing)
        }
        let settings = try #require(try AppConfiguration.load(from: ["OPENROUTER_API_KEY": "k"], environment: .testing).ai)
        #expect(settings.baseURL.absoluteString == "https://openrouter.ai/api/v1")
        #expect(settings.defaultModel == Self.sonnet)
        #expect(settings.fallbackModel == Self.haiku)
        #expect(try AppConfiguration.load(from: [:], environment: .testing).ai == nil)
    }
}
