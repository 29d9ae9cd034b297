import Foundation

/// Seeding and reviewing templates from tests and demos.
extension GraphSimulator {
    /// Preloads a template, APPROVED unless told otherwise. `wabaID` defaults to the first number's.
    @discardableResult
    public func addTemplate(
        name: String, language: String = "en_US", category: String = "UTILITY", body: String,
        status: String = "APPROVED", extraComponents: [JSONValue] = [], wabaID: String? = nil
    ) -> SimulatedTemplate {
        let template = SimulatedTemplate(
            id: Identifiers.numericID(), wabaID: wabaID ?? defaultNumber.wabaID, name: name, language: language,
            category: category.uppercased(), status: status,
            components: [["type": "BODY", "text": .string(body)]] + extraComponents)
        state.withLock { $0.templates.append(template) }
        return template
    }

    /// Approves every language of a pending template and sends the `message_template_status_update` webhook.
    public func approveTemplate(name: String, wabaID: String? = nil) async throws {
        try await review(name: name, wabaID: wabaID, to: "APPROVED")
    }

    public func rejectTemplate(name: String, wabaID: String? = nil, reason: String = "INVALID_FORMAT") async throws {
        try await review(name: name, wabaID: wabaID, to: "REJECTED", reason: reason)
    }

    private func review(name: String, wabaID: String?, to status: String, reason: String = "NONE") async throws {
        let waba = wabaID ?? defaultNumber.wabaID
        let ids = state.withLock { $0.templates.filter { $0.wabaID == waba && $0.name == name }.map(\.id) }
        guard !ids.isEmpty else { throw SimulatorError.unknownTemplate(name) }
        for id in ids { await setTemplateStatus(id: id, to: status, reason: reason) }
    }

    func setTemplateStatus(id: String, to status: String, reason: String = "NONE") async {
        let updated = state.withLock { state -> SimulatedTemplate? in
            guard let index = state.templates.firstIndex(where: { $0.id == id }) else { return nil }
            state.templates[index].status = status
            return state.templates[index]
        }
        guard let updated else { return }
        await deliver(WebhookPayloads.templateStatus(updated, event: status, reason: reason, at: now()))
    }
}
