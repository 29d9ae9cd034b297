import Foundation

/// `/campaigns`: the organization's campaigns, newest first, with how far each got.
enum CampaignListPage {
    struct Row: Sendable {
        var id: UUID
        var name: String
        var status: Campaign.Status
        var statistics: CampaignStatistics
        var createdAt: Date
    }

    struct Model {
        var rows: [Row]
        var canManage: Bool
        var notice: String?
    }
}
