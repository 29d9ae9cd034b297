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
        settings.categories = categories
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

    private static func render(_ model: AISettingsPage.Model, _ request: Request, status: HTTPResponseStatus) async throws -> Response {
        let html = AISettingsPage.html(model, try await Chrome.make(for: request, section: .settings))
        return try await HTMLResponse(status: status, html: html).encodeResponse(for: request)
    }
}
