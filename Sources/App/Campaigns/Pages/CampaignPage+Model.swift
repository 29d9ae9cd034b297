import Foundation

/// `/campaigns/:id`: one campaign: its status and why, its numbers (live while it sends), failures
/// and skips by reason, a chart of sending and reading over time, a sample contact's message, and
/// the actions its status allows.
enum CampaignPage {
    struct Model {
        var id: UUID
        var name: String
        var status: Campaign.Status
        var stopReason: String?
        var waitingReason: String?
        var numberName: String
        var templateName: String
        var sendAt: Date?
        var startedAt: Date?
        var finishedAt: Date?
        var statistics: CampaignStatistics
        var chart: CampaignChart
        var preview: Preview?
        var canManage: Bool
        var timeZone: String
        var notice: String?
        var error: String?
    }

    struct Preview {
        var contactName: String
        var text: TemplateText
        var skipped: CampaignRecipient.SkipReason?
    }
}
