import Fluent
import Foundation

extension CampaignPage {
    /// "Bakkerij Anna (+31 20 123 4567)", or the number alone.
    static func numberName(_ connection: WhatsAppConnection) -> String {
        guard let name = connection.verifiedName else { return connection.displayPhoneNumber }
        return "\(name) (\(connection.displayPhoneNumber))"
    }

    static func query(_ tenant: Tenant, _ campaign: Campaign, notice: String?, error: String?) async throws -> Model {
        let scope = tenant.scope
        let id = try campaign.requireID()
        let connection = try await scope.find(WhatsAppConnection.self, campaign.connectionID)
        // The sample: the first recipient once the audience is taken, else the audience's first contact.
        let sampleID: UUID?
        if let first = try await scope.query(CampaignRecipient.self).filter(\.$campaignID == id).sort(\.$position).first() {
            sampleID = first.contactID
        } else {
            sampleID = try await campaign.audience.firstContactID(in: scope)
        }
        var preview: Preview?
        if let sampleID, let contact = try await scope.find(Contact.self, sampleID),
            let sample = try await CampaignPreview.of(campaign, contactID: sampleID, in: scope)
        {
            preview = Preview(
                contactName: contact.name ?? contact.profileName ?? contact.waID.map { "+" + $0 } ?? "", text: sample.text, skipped: sample.skipped)
        }
        return Model(
            id: id, name: campaign.name, status: campaign.status, stopReason: campaign.stopReason, waitingReason: campaign.waitingReason,
            numberName: connection.map(numberName) ?? "",
            templateName: "\(campaign.templateName) (\(campaign.templateLanguage))", sendAt: campaign.sendAt, startedAt: campaign.startedAt,
            finishedAt: campaign.finishedAt, statistics: try await CampaignStatistics.of(id, in: scope),
            chart: try await CampaignChart.of(id, in: scope), preview: preview, canManage: tenant.role.can(.manageCampaigns),
            timeZone: tenant.organization.timeZone, notice: notice, error: error)
    }
}
