import Fluent
import Foundation

/// A campaign's message as one contact would receive it, worked out exactly as the launch does.
struct CampaignPreview: Sendable {
    var text: TemplateText
    /// Why this contact would not get it; `text` then shows the template with its fallbacks.
    var skipped: CampaignRecipient.SkipReason?

    /// Nil when the contact is not this organization's (or was erased) or the template is gone.
    static func of(_ campaign: Campaign, contactID: UUID, in scope: TenantScope) async throws -> CampaignPreview? {
        guard let contact = try await scope.find(Contact.self, contactID), contact.erasedAt == nil,
            let connection = try await scope.find(WhatsAppConnection.self, campaign.connectionID),
            let template = try await scope.query(MessageTemplate.self)
                .filter(\.$businessAccountID == connection.businessAccountID)
                .filter(\.$name == campaign.templateName).filter(\.$language == campaign.templateLanguage).first()
        else { return nil }
        let definitions = try await ContactDirectory.fieldDefinitions(in: scope)
        let values = try await ContactDirectory.fieldValues(of: [contactID], in: scope)[contactID] ?? [:]
        var fields: [String: String] = [:]
        for definition in definitions { if let id = definition.id, let value = values[id] { fields[definition.key] = value.text } }
        let text = TemplateText(components: template.components)
        let message = campaign.message
        switch CampaignLaunch.message(
            of: campaign, message: message, marketing: campaign.templateCategory.uppercased() == "MARKETING", for: contact, fields: fields)
        {
        case .success(let draft):
            return CampaignPreview(text: text.filled(with: draft), skipped: nil)
        case .failure(let reason):
            // Show what the fallbacks make of it, so the reader sees the message all the same.
            let values = CampaignMessage.ContactValues(name: contact.name ?? contact.profileName, phone: contact.waID, email: contact.email, fields: fields)
            let draft = message.draft(template: campaign.templateName, language: campaign.templateLanguage, for: values)
            return CampaignPreview(text: draft.map(text.filled(with:)) ?? text, skipped: reason)
        }
    }
}

/// Times people give for a campaign: with an offset, or on the organization's clock.
enum CampaignTime {
    static func parse(_ text: String, timeZone identifier: String) throws(CampaignProblem) -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let withOffset = ISO8601DateFormatter()
        if let date = withOffset.date(from: trimmed) { return date }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = TimeZone(identifier: identifier) ?? .gmt
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            local.dateFormat = format
            if let date = local.date(from: trimmed) { return date }
        }
        throw .invalid(field: "send_at", problem: "give a time such as 2026-12-07T09:00 (in \(identifier)) or with an offset")
    }
}
