import ADSappCore
import Foundation
import Vapor

/// Settings → AI assistance: `GET` and `POST /settings/ai`, for the members who manage the
/// organization's settings.
enum AISettingsController {
    static func page(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let notice = request.query[String.self, at: "notice"] == "saved" ? request.localizer(.aiSettingsSaved) : nil
        return try await render(try await AISettingsPage.query(request, tenant, notice: notice, error: nil), request, status: .ok)
    }

    struct Form: Content {
        var features: [String]?
        var model: String?
        var budget: String?
        var knowledge: String?
        /// One a line.
        var categories: String?
        /// The organization's own provider key: empty keeps the one saved.
        var api_key: String?
        var remove_api_key: String?
        var auto_answer_when: String?
        /// One a line.
        var handoff_keywords: String?
        /// Percent.
        var auto_answer_confidence: String?
        var auto_answer_limit: String?
    }

    /// A day's hours as typed: `hours_mon_opens`, `hours_mon_closes`.
    static func typedHours(_ request: Request) -> [AISettingsPage.DayHours] {
        BusinessHours.Day.allCases.map { day in
            AISettingsPage.DayHours(
                day: day, opens: request.content[String.self, at: "hours_\(day.rawValue)_opens"]?.trimmingCharacters(in: .whitespaces) ?? "",
                closes: request.content[String.self, at: "hours_\(day.rawValue)_closes"]?.trimmingCharacters(in: .whitespaces) ?? "")
        }
    }

    /// Keys as providers issue them: printable, no spaces.
    static func isPlausibleKey(_ key: String) -> Bool {
        (8...400).contains(key.count) && key.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && $0.value < 127 }
    }

    /// A model id as providers write them: `vendor/name`, with versions and variants (`:free`).
    static var modelPattern: Regex<Substring> { /[A-Za-z0-9._-]{1,50}\/[A-Za-z0-9._:-]{1,80}/ }

    static func save(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let form = try request.content.decode(Form.self)
        let t = request.localizer
        // A refused form comes back with what was typed in it (the key excepted: it is never shown).
        func refuse(_ message: String) async throws -> Response {
            var model = try await AISettingsPage.query(request, tenant, notice: nil, error: message)
            let chosen = Set(form.features ?? [])
            model.features = model.features.map { .init(feature: $0.feature, enabled: chosen.contains($0.feature.rawValue)) }
            model.model = form.model
            model.budgetText = form.budget
            model.knowledge = form.knowledge ?? ""
            model.categories = (form.categories ?? "").split(whereSeparator: \.isNewline).map(String.init)
            model.autoAnswer.when = form.auto_answer_when.flatMap(AutoAnswerWhen.init(rawValue:)) ?? model.autoAnswer.when
            model.autoAnswer.hours = typedHours(request)
            model.autoAnswer.handoffKeywords = (form.handoff_keywords ?? "").split(whereSeparator: \.isNewline).map(String.init)
            model.autoAnswer.confidence = form.auto_answer_confidence ?? ""
            model.autoAnswer.limit = form.auto_answer_limit ?? ""
            return try await render(model, request, status: .unprocessableEntity)
        }
        var features: Set<AIFeature> = []
        for value in form.features ?? [] {
            guard let feature = AIFeature(rawValue: value), AIFeature.available.contains(feature) else { return try await refuse(t(.aiSettingsErrorFeature)) }
            features.insert(feature)
        }
        let model = (form.model?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 }
        if let model, model.wholeMatch(of: modelPattern) == nil { return try await refuse(t(.aiSettingsErrorModel)) }
        let settings = try await OrganizationAISettings.of(tenant.scope, now: request.now)
        let newKey = form.api_key?.trimmingCharacters(in: .whitespaces) ?? ""
        guard newKey.isEmpty || isPlausibleKey(newKey) else { return try await refuse(t(.aiSettingsErrorKey)) }
        let ownKey = !newKey.isEmpty || (settings.apiKeySealed != nil && form.remove_api_key != "on")
        var budget: Double?
        if let text = form.budget?.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "."), !text.isEmpty {
            // With its own key the organization pays the provider: the server's ceiling does not apply.
            let ceiling = ownKey ? AISettings.maxBudget : request.context.configuration.ai?.monthlyBudget ?? 0
            guard let value = Double(text), value.isFinite, value >= 0, value <= ceiling else {
                return try await refuse(t(.aiSettingsErrorBudget, ["budget": AISettingsPage.dollars(ceiling, t.language)]))
            }
            budget = value
        }
        let knowledge = (form.knowledge ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard knowledge.count <= OrganizationAISettings.maxKnowledgeLength else {
            return try await refuse(t(.aiSettingsErrorKnowledge, ["max": BillingPage.number(OrganizationAISettings.maxKnowledgeLength, t.language)]))
        }
        var categories: [String] = []
        for line in (form.categories ?? "").split(whereSeparator: \.isNewline) {
            let name = line.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            guard name.count <= InboxSettings.maxNameLength, name.lowercased() != "none" else {
                return try await refuse(t(.aiSettingsErrorCategory, ["max": String(InboxSettings.maxNameLength)]))
            }
            if !categories.contains(name) { categories.append(name) }
        }
        guard categories.count <= OrganizationAISettings.maxCategories else {
            return try await refuse(t(.aiSettingsErrorCategories, ["max": String(OrganizationAISettings.maxCategories)]))
        }
        let guardrails: AutoAnswerGuardrailSettings
        switch autoAnswerGuardrails(form, request) {
        case .success(let chosen): guardrails = chosen
        case .failure(let refusal): return try await refuse(refusal.message)
        }
        settings.categories = categories
        settings.autoAnswerWhen = guardrails.when
        settings.businessHours = guardrails.hours
        settings.handoffKeywords = guardrails.keywords
        settings.autoAnswerConfidenceValue = guardrails.confidence
        settings.autoAnswerLimitValue = guardrails.limit
        if !newKey.isEmpty {
            settings.apiKeySealed = try await request.application.whatsApp.vault.seal(
                newKey, for: tenant.organizationID, purpose: .aiProviderKey, on: tenant.scope.database)
        } else if form.remove_api_key == "on" {
            settings.apiKeySealed = nil
        }
        settings.enabledFeatures = features
        settings.model = model
        settings.monthlyBudget = budget
        settings.knowledge = knowledge
        settings.updatedAt = request.now
        try await settings.save(on: tenant.scope.database)
        return request.redirect(to: SiteURL.aiSettings.path + "?notice=saved", redirectType: .normal)
    }

    struct AutoAnswerGuardrailSettings {
        var when: AutoAnswerWhen
        var hours: BusinessHours
        var keywords: [String]
        var confidence: Double?
        var limit: Int?
    }

    struct Refused: Error {
        var message: String
    }

    /// Automatic answers' guardrails from the form, or what is wrong with them.
    static func autoAnswerGuardrails(_ form: Form, _ request: Request) -> Result<AutoAnswerGuardrailSettings, Refused> {
        let t = request.localizer
        let whenText = form.auto_answer_when ?? AutoAnswerWhen.always.rawValue
        guard let when = AutoAnswerWhen(rawValue: whenText) else { return .failure(.init(message: t(.aiSettingsErrorWhen))) }
        var days: [BusinessHours.Day: BusinessHours.Span] = [:]
        for typed in typedHours(request) where !(typed.opens.isEmpty && typed.closes.isEmpty) {
            guard let span = BusinessHours.Span(opens: typed.opens, closes: typed.closes) else {
                return .failure(.init(message: t(.aiSettingsErrorHours, ["day": t(typed.day.name)])))
            }
            days[typed.day] = span
        }
        guard when == .always || !days.isEmpty else { return .failure(.init(message: t(.aiSettingsErrorNoHours))) }
        var keywords: [String] = []
        for line in (form.handoff_keywords ?? "").split(whereSeparator: \.isNewline) {
            let word = line.trimmingCharacters(in: .whitespaces)
            guard !word.isEmpty else { continue }
            guard word.count <= 50 else {
                return .failure(.init(message: t(.aiSettingsErrorHandoff, ["max": String(OrganizationAISettings.maxHandoffKeywords)])))
            }
            if !keywords.contains(word) { keywords.append(word) }
        }
        guard keywords.count <= OrganizationAISettings.maxHandoffKeywords else {
            return .failure(.init(message: t(.aiSettingsErrorHandoff, ["max": String(OrganizationAISettings.maxHandoffKeywords)])))
        }
        var confidence: Double?
        if let text = form.auto_answer_confidence?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let percent = Int(text), (0...100).contains(percent) else { return .failure(.init(message: t(.aiSettingsErrorConfidence))) }
            confidence = Double(percent) / 100
        }
        var limit: Int?
        if let text = form.auto_answer_limit?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let number = Int(text), (1...OrganizationAISettings.maxAutoAnswerLimit).contains(number) else {
                return .failure(.init(message: t(.aiSettingsErrorLimit, ["max": String(OrganizationAISettings.maxAutoAnswerLimit)])))
            }
            limit = number
        }
        return .success(.init(when: when, hours: BusinessHours(days: days), keywords: keywords, confidence: confidence, limit: limit))
    }

    private static func render(_ model: AISettingsPage.Model, _ request: Request, status: HTTPResponseStatus) async throws -> Response {
        let html = AISettingsPage.html(model, try await Chrome.make(for: request, section: .settings))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }
}
