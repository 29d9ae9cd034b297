import Fluent
import Foundation

extension CampaignListPage {
    static func query(_ tenant: Tenant, notice: String?) async throws -> Model {
        var rows: [Row] = []
        for campaign in try await tenant.scope.query(Campaign.self).sort(\.$createdAt, .descending).limit(200).all() {
            rows.append(
                Row(
                    id: try campaign.requireID(), name: campaign.name, status: campaign.status,
                    statistics: try await CampaignStatistics.of(try campaign.requireID(), in: tenant.scope), createdAt: campaign.createdAt))
        }
        return Model(rows: rows, canManage: tenant.role.can(.manageCampaigns), notice: notice)
    }
}
