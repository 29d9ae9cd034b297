import Foundation

/// `/drips`: the organization's drip sequences, newest first, with where their contacts stand.
enum DripListPage {
    struct Row: Sendable {
        var id: UUID
        var name: String
        var status: DripSequence.Status
        var steps: Int
        var statistics: DripStatistics
    }

    struct Model {
        var rows: [Row]
        var canManage: Bool
        var notice: String?
    }
}
