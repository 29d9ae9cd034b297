import Fluent
import Foundation
import LLM
import SQLKit
import Vapor

/// The AI features; each request is recorded under one.
enum AIFeature: String, Sendable, CaseIterable {
    case draft, sentiment, autoAnswer = "auto_answer", translation, category, summary

    /// The features in the order the settings page offers them.
    static let available: [AIFeature] = [.draft, .summary, .sentiment, .category, .translation, .autoAnswer]

    var name: TextKey {
        switch self {
        case .draft: .aiFeatureDraft
        case .sentiment: .aiFeatureSentiment
        case .autoAnswer: .aiFeatureAutoAnswer
        case .translation: .aiFeatureTranslation
        case .category: .aiFeatureCategory
        case .summary: .aiFeatureSummary
        }
    }
}

/// Why an AI request was not made, in words a member can act on.
enum AIRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// No provider key is configured.
    case notConfigured
    /// This month's budget is spent.
    case budgetSpent(budget: Double, spent: Double)
    /// The plan's AI credits (or "may use AI at all") say no.
    case plan(BillingRefusal)
    /// The organization's admins turned this feature off.
    case featureOff(AIFeature)

    var description: String {
        switch self {
        case .notConfigured: "AI assistance is not set up on this server (OPENROUTER_API_KEY)."
        case .budgetSpent(let budget, let spent):
            "This month's AI budget of $\(String(format: "%.2f", budget)) is spent ($\(String(format: "%.2f", spent))); AI features are off until next month."
        case .plan(let refusal): refusal.reason
        case .featureOff(let feature): "The AI feature \(feature.rawValue) is turned off for this organization (Settings → AI assistance)."
        }
    }

    /// The refusal in the member's language.
    func text(_ t: Localizer) -> String {
        switch self {
        case .notConfigured: t(.aiRefusalNotConfigured)
        case .budgetSpent(let budget, let spent):
            t(.aiRefusalBudgetSpent, ["budget": String(format: "$%.2f", budget), "spent": String(format: "$%.2f", spent)])
        case .plan(let refusal): refusal.text(t)
        case .featureOff: t(.aiRefusalFeatureOff)
        }
    }
}

/// Every AI request of an organization goes through here: the plan's credits and the month's budget
/// are checked first, the provider is asked (the fallback model when the default fails), and what
/// the request used (tokens, cost, the model that answered) is recorded for the organization and feature.
struct AIAssistant: Sendable {
    let scope: TenantScope
    let settings: AISettings?
    let billing: BillingAccess
    let client: @Sendable (AISettings) -> ChatCompletionsClient
    let now: Date
    let timeZone: TimeZone
    /// Opens the organization's own provider key, when it has one.
    var vault: CredentialVault? = nil

    /// A whole answer.
    func complete(_ request: ChatRequest, for feature: AIFeature, prompt: AIPrompt? = nil) async throws -> ChatAnswer {
        let settings = try await allowed(feature)
        let answer = try await client(settings).complete(limited(request, settings))
        try await record(answer, feature: feature, prompt: prompt)
        return answer
    }

    /// An answer as it is written: its pieces of text; what it used is recorded when it is whole.
    /// This returns once the first piece has come, so a refusal, or a provider that fails before
    /// writing anything (after the fallback model), is thrown here rather than from the stream.
    func stream(_ request: ChatRequest, for feature: AIFeature, prompt: AIPrompt? = nil) async throws -> AsyncThrowingStream<String, any Error> {
        let settings = try await allowed(feature)
        let upstream = client(settings).stream(limited(request, settings))
        let (pieces, output) = AsyncThrowingStream<String, any Error>.makeStream()
        // One value: nil once the first piece (or the end) came, or the error before it.
        let (start, started) = AsyncStream<(any Error)?>.makeStream()
        let task = Task {
            do {
                for try await event in upstream {
                    switch event {
                    case .text(let piece):
                        started.yield(nil)
                        output.yield(piece)
                    case .done(let answer): try await record(answer, feature: feature, prompt: prompt)
                    }
                }
                started.yield(nil)
                output.finish()
            } catch {
                started.yield(error)
                output.finish(throwing: error)
            }
            started.finish()
        }
        output.onTermination = { _ in task.cancel() }
        for await failure in start {
            if let failure {
                task.cancel()
                throw failure
            }
            break
        }
        return pieces
    }

    /// The request with the configured limits where it sets none.
    func limited(_ request: ChatRequest, _ settings: AISettings) -> ChatRequest {
        var request = request
        request.maxTokens = request.maxTokens ?? settings.maxTokens
        request.temperature = request.temperature ?? settings.temperature
        return request
    }

    /// The settings for this request (the organization's model, budget and own key applied), when
    /// the feature is on and the organization may make one more request. With its own key the
    /// organization pays the provider itself: the plan's AI credits and the server's budget ceiling
    /// no longer apply, its own budget does.
    func allowed(_ feature: AIFeature) async throws -> AISettings {
        guard var settings else { throw AIRefusal.notConfigured }
        let chosen = try await OrganizationAISettings.of(scope, now: now)
        guard chosen.enabledFeatures.contains(feature) else { throw AIRefusal.featureOff(feature) }
        if let model = chosen.model { settings.defaultModel = model }
        var ownKey = false
        if let sealed = chosen.apiKeySealed, let vault {
            settings.apiKey = try await vault.open(sealed, for: scope.organizationID, purpose: .aiProviderKey, on: scope.database)
            ownKey = true
        }
        if let budget = chosen.monthlyBudget { settings.monthlyBudget = ownKey ? budget : min(budget, settings.monthlyBudget) }
        let month = try await usedThisMonth()
        if !ownKey {
            do {
                try await billing.require(.monthlyAICredits, used: month.requests, for: scope.organizationID, on: scope.database)
            } catch let refusal as BillingRefusal {
                throw AIRefusal.plan(refusal)
            }
        }
        if month.cost >= settings.monthlyBudget { throw AIRefusal.budgetSpent(budget: settings.monthlyBudget, spent: month.cost) }
        return settings
    }

    /// This calendar month's requests (AI credits) and cost, in the organization's time zone.
    func usedThisMonth() async throws -> (requests: Int, cost: Double) {
        try await Self.used(in: scope, since: BillingUsage.startOfMonth(now, timeZone: timeZone))
    }

    static func used(in scope: TenantScope, since start: Date) async throws -> (requests: Int, cost: Double) {
        let row = try await scope.sql { organization in
            "SELECT COUNT(*) AS n, COALESCE(SUM(cost), 0) AS cost FROM ai_usage WHERE organization_id = \(bind: organization) AND created_at >= \(bind: start)"
        }.first()
        return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "cost", as: Double.self) ?? 0)
    }

    func record(_ answer: ChatAnswer, feature: AIFeature, prompt: AIPrompt?) async throws {
        let usage = answer.usage
        try await scope.sql { organization in
            """
            INSERT INTO ai_usage (id, organization_id, feature, model, prompt, prompt_tokens, completion_tokens, cost, created_at) VALUES
            (\(bind: UUID()), \(bind: organization), \(bind: feature.rawValue), \(bind: answer.model), \(bind: prompt?.id),
             \(bind: usage?.promptTokens ?? 0), \(bind: usage?.completionTokens ?? 0), \(bind: usage?.cost ?? 0), \(bind: now))
            """
        }.run()
    }
}

extension AIAssistant {
    /// The assistant of the organization `scope` works in (`timeZone`: the organization's).
    static func make(scope: TenantScope, timeZone: String, configuration: AppConfiguration, vault: CredentialVault, now: Date) -> AIAssistant {
        let appURL = configuration.appURL.absoluteString
        return AIAssistant(
            scope: scope, settings: configuration.ai, billing: BillingAccess(settings: configuration.billing, now: now),
            client: { settings in
                ChatCompletionsClient(
                    LLMConfiguration(
                        baseURL: settings.baseURL.absoluteString, apiKey: settings.apiKey, defaultModel: settings.defaultModel,
                        fallbackModel: settings.fallbackModel, appURL: appURL, appName: "ADSapp"))
            }, now: now, timeZone: TimeZone(identifier: timeZone) ?? .gmt, vault: vault)
    }
}

extension Request {
    /// The AI assistant of the signed-in member's organization.
    func aiAssistant(_ tenant: Tenant) -> AIAssistant {
        AIAssistant.make(
            scope: tenant.scope, timeZone: tenant.organization.timeZone, configuration: context.configuration, vault: application.whatsApp.vault, now: now)
    }
}
