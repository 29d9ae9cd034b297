import Fluent
import Foundation

extension CampaignListPage {
    static func query(_ tenant: Tenant, notice: String?) async throws -> Model {
        let campaigns = try await tenant.scope.query(Campaign.self).sort(\.$createdAt, .descending).limit(200).all()
        let statistics = try await CampaignStatistics.of(try campaigns.map { try $0.requireID() }, in: tenant.scope)
        let rows = try campaigns.map { campaign in
            let id = try campaign.requireID()
            return Row(id: id, name: campaign.name, status: campaign.status, statistics: statistics[id] ?? CampaignStatistics(), createdAt: campaign.createdAt)
        }
        return Model(rows: rows, canManage: tenant.role.can(.manageCampaigns), notice: notice)
    }
}
