import Fluent
import Foundation
import SQLKit

/// What happens when a campaign starts sending: the plan's limits are checked, and its audience is
/// taken as it is now, one `CampaignRecipient` per contact with the template filled in for them.
/// Contacts who opted out, lack a usable number or a parameter's value are recorded as skipped with
/// their reason, so the statistics and the export account for everyone in the audience.
struct CampaignLaunch: Sendable {
    let scope: TenantScope
    let now: Date
    /// Whether the organization may send at all (a plan, no overdue payment); `nil`: not asked.
    var billing: BillingAccess? = nil

    /// Checks the plan's limits for sending to `audienceSize` more people (`CampaignProblem.planLimit`):
    /// its contacts, and its campaign messages a month (broadcasts' and drip steps' together).
    func checkPlan(audienceSize: Int) async throws {
        if let billing {
            do { try await billing.requireSending(scope.organizationID, on: scope.database) } catch let refusal as BillingRefusal {
                throw CampaignProblem.planLimit(refusal.reason)
            }
        }
        guard let organization = try await Organization.find(scope.organizationID, on: scope.database) else { return }
        if let limit = organization.planContactLimit {
            let contacts = try await scope.query(Contact.self).filter(\.$erasedAt == nil).count()
            if contacts > limit {
                throw CampaignProblem.planLimit(
                    "Your plan allows \(limit) contacts and you have \(contacts). Remove contacts or choose a larger plan to send campaigns. Billing: \(SiteURL.billing.path)"
                )
            }
        }
        if let limit = organization.planMonthlyMessages {
            let monthStart = BillingUsage.startOfMonth(now, timeZone: TimeZone(identifier: organization.timeZone) ?? .gmt)
            let sent = try await BillingUsage.monthlyMessages(in: scope, since: monthStart)
            if sent + audienceSize > limit {
                throw CampaignProblem.planLimit(
                    "Your plan allows \(limit) campaign messages a month. \(sent) were sent this month and this would send \(audienceSize) more. Choose a smaller audience or a larger plan. Billing: \(SiteURL.billing.path)"
                )
            }
        }
    }

    /// Records the recipients and moves the campaign to `sending`, in one transaction: a launch that
    /// stops half-way leaves nothing behind and runs again whole.
    func start(_ campaign: Campaign) async throws {
        let contactIDs = try await campaign.audience.contactIDs(in: scope)
        try await checkPlan(audienceSize: contactIDs.count)
        let definitions = try await ContactDirectory.fieldDefinitions(in: scope)
        let keys = Dictionary(uniqueKeysWithValues: definitions.compactMap { definition in definition.id.map { ($0, definition.key) } })
        let (message, marketing) = (campaign.message, campaign.templateCategory.uppercased() == "MARKETING")
        let campaignID = try campaign.requireID()
        let now = now
        try await scope.transaction { scope in
            var position = 0
            for chunk in contactIDs.chunks(of: 500) {
                let contacts = try await scope.query(Contact.self).filter(\.$id ~~ Array(chunk)).all()
                let byID = Dictionary(uniqueKeysWithValues: contacts.compactMap { contact in contact.id.map { ($0, contact) } })
                let values = try await ContactDirectory.fieldValues(of: Array(chunk), in: scope)
                var rows: [CampaignRecipient] = []
                for contactID in chunk {
                    guard let contact = byID[contactID], contact.erasedAt == nil else { continue }
                    position += 1
                    let row = CampaignRecipient()
                    row.id = UUID()
                    row.organizationID = scope.organizationID
                    row.campaignID = campaignID
                    row.contactID = contactID
                    row.position = position
                    row.waID = contact.waID
                    row.attempts = 0
                    row.status = .pending
                    var fields: [String: String] = [:]
                    for (fieldID, value) in values[contactID] ?? [:] { if let key = keys[fieldID] { fields[key] = value.text } }
                    switch Self.message(of: campaign, message: message, marketing: marketing, for: contact, fields: fields) {
                    case .success(let draft): row.draftJSON = Campaign.json(draft)
                    case .failure(let reason): row.skip(reason, at: now)
                    }
                    rows.append(row)
                }
                if !rows.isEmpty { try await rows.create(on: scope.database) }
            }
            campaign.status = .sending
            campaign.startedAt = now
            campaign.updatedAt = now
            try await campaign.save(on: scope.database)
        }
    }

    /// The template as this contact receives it, or why they are skipped.
    static func message(
        of campaign: Campaign, message: CampaignMessage, marketing: Bool, for contact: Contact, fields: [String: String]
    ) -> Result<OutboundDraft.TemplateDraft, CampaignRecipient.SkipReason> {
        if contact.marketingStatus == .optedOut { return .failure(.optedOut) }
        if marketing && contact.marketingStatus != .optedIn { return .failure(.noConsent) }
        guard isUsable(contact.waID) else { return .failure(.noNumber) }
        let values = CampaignMessage.ContactValues(name: contact.name ?? contact.profileName, phone: contact.waID, email: contact.email, fields: fields)
        guard let draft = message.draft(template: campaign.templateName, language: campaign.templateLanguage, for: values) else {
            return .failure(.missingValue)
        }
        return .success(draft)
    }

    /// A WhatsApp id WhatsApp can be asked to deliver to: 8 to 15 digits (E.164 without "+").
    static func isUsable(_ waID: String?) -> Bool {
        guard let waID else { return false }
        return (8...15).contains(waID.count) && waID.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

extension CampaignRecipient {
    func skip(_ reason: SkipReason, at now: Date) {
        status = .skipped
        self.reason = reason.rawValue
        statusAt = now
    }
}
