import Fluent
import Foundation
import LLM
import SQLKit
import Vapor

/// The AI features; each request is recorded under one.
enum AIFeature: String, Sendable, CaseIterable {
    case draft, sentiment, autoAnswer = "auto_answer", translation, category, summary
}

/// Why an AI request was not made, in words a member can act on.
enum AIRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// No provider key is configured.
    case notConfigured
    /// This month's budget is spent.
    case budgetSpent(budget: Double, spent: Double)
    /// The plan's AI credits (or "may use AI at all") say no.
    case plan(BillingRefusal)

    var description: String {
        switch self {
        case .notConfigured: "AI assistance is not set up on this server (OPENROUTER_API_KEY)."
        case .budgetSpent(let budget, let spent):
            "This month's AI budget of $\(String(format: "%.2f", budget)) is spent ($\(String(format: "%.2f", spent))); AI features are off until next month."
        case .plan(let refusal): refusal.reason
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

    /// A whole answer.
    func complete(_ request: ChatRequest, for feature: AIFeature) async throws -> ChatAnswer {
        let settings = try await allowed()
        let answer = try await client(settings).complete(limited(request, settings))
        try await record(answer, feature: feature)
        return answer
    }

    /// The request with the configured limits where it sets none.
    func limited(_ request: ChatRequest, _ settings: AISettings) -> ChatRequest {
        var request = request
        request.maxTokens = request.maxTokens ?? settings.maxTokens
        request.temperature = request.temperature ?? settings.temperature
        return request
    }

    /// The settings, when the organization may make one more request.
    func allowed() async throws -> AISettings {
        guard let settings else { throw AIRefusal.notConfigured }
        let month = try await usedThisMonth()
        do {
            try await billing.require(.monthlyAICredits, used: month.requests, for: scope.organizationID, on: scope.database)
        } catch let refusal as BillingRefusal {
            throw AIRefusal.plan(refusal)
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

    func record(_ answer: ChatAnswer, feature: AIFeature) async throws {
        let usage = answer.usage
        try await scope.sql { organization in
            """
            INSERT INTO ai_usage (id, organization_id, feature, model, prompt_tokens, completion_tokens, cost, created_at) VALUES
            (\(bind: UUID()), \(bind: organization), \(bind: feature.rawValue), \(bind: answer.model), \(bind: usage?.promptTokens ?? 0),
             \(bind: usage?.completionTokens ?? 0), \(bind: usage?.cost ?? 0), \(bind: now))
            """
        }.run()
    }
}

extension Request {
    /// The AI assistant of the signed-in member's organization.
    func aiAssistant(_ tenant: Tenant) -> AIAssistant {
        let appURL = context.configuration.appURL.absoluteString
        return AIAssistant(
            scope: tenant.scope, settings: context.configuration.ai, billing: billingAccess,
            client: { settings in
                ChatCompletionsClient(
                    LLMConfiguration(
                        baseURL: settings.baseURL.absoluteString, apiKey: settings.apiKey, defaultModel: settings.defaultModel,
                        fallbackModel: settings.fallbackModel, appURL: appURL, appName: "ADSapp"))
            }, now: now, timeZone: TimeZone(identifier: tenant.organization.timeZone) ?? .gmt)
    }
}
