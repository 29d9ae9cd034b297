import ADSappCore
import Foundation
import SQLKit
import Vapor

extension AISettingsPage {
    static func query(_ request: Request, _ tenant: Tenant, notice: String?, error: String?) async throws -> Model {
        let platform = request.context.configuration.ai
        let settings = try await OrganizationAISettings.of(tenant.scope, now: request.now)
        let start = BillingUsage.startOfMonth(request.now, timeZone: TimeZone(identifier: tenant.organization.timeZone) ?? .gmt)
        let rows = try await tenant.scope.sql { organization in
            """
            SELECT feature, COUNT(*) AS requests, CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT) AS tokens,
                   COALESCE(SUM(cost), 0) AS cost
            FROM ai_usage WHERE organization_id = \(bind: organization) AND created_at >= \(bind: start) GROUP BY feature
            """
        }.all()
        var usage: [UsageRow] = []
        for row in rows {
            guard let feature = AIFeature(rawValue: try row.decode(column: "feature", as: String.self)) else { continue }
            usage.append(
                .init(
                    feature: feature, requests: try row.decode(column: "requests", as: Int.self), tokens: try row.decode(column: "tokens", as: Int.self),
                    cost: try row.decode(column: "cost", as: Double.self)))
        }
        usage.sort { ($0.cost, $0.requests, $1.feature.rawValue) > ($1.cost, $1.requests, $0.feature.rawValue) }
        return Model(
            configured: platform != nil,
            features: AIFeature.available.map { .init(feature: $0, enabled: settings.enabledFeatures.contains($0)) },
            model: settings.model, defaultModel: platform?.defaultModel, budget: settings.monthlyBudget, platformBudget: platform?.monthlyBudget,
            knowledge: settings.knowledge, categories: settings.categories,
            autoAnswer: .init(settings, timeZone: tenant.organization.timeZone), hasOwnKey: settings.apiKeySealed != nil, usage: usage,
            spent: usage.reduce(0) { $0 + $1.cost },
            requests: usage.reduce(0) { $0 + $1.requests },
            notice: notice, error: error)
    }
}

extension AISettingsPage.AutoAnswer {
    /// The saved guardrails as the form shows them.
    init(_ settings: OrganizationAISettings, timeZone: String) {
        when = settings.autoAnswerWhen
        let hours = settings.businessHours
        self.hours = BusinessHours.Day.allCases.map { day in
            AISettingsPage.DayHours(
                day: day, opens: hours.days[day].map { TimeOfDay.text($0.opens) } ?? "",
                closes: hours.days[day].map { TimeOfDay.text($0.closes) } ?? "")
        }
        self.timeZone = timeZone
        handoffKeywords = settings.handoffKeywords
        confidence = String(Int((settings.autoAnswerConfidence * 100).rounded()))
        limit = String(settings.autoAnswerLimit)
    }
}
