import Foundation

/// `/drips/new` and `/drips/{id}/edit`: a sequence's settings (its number, who is enrolled, when they
/// leave, and when it may send); its steps are added on the sequence's page.
enum DripFormPage {
    /// What the form shows and posts.
    struct Values: Sendable {
        var name = ""
        var connectionID: String?
        var segmentID: String?
        var tagID: String?
        var onTagAdded = false
        var exitOnReply = true
        var exitTagID: String?
        var days: Set<String> = Set(DripActions.dayNames)
        var start = ""
        var end = ""
    }

    struct Model {
        /// Set when a draft is changed.
        var editing: UUID?
        var values: Values
        var numbers: [CampaignFormPage.Option]
        var segments: [CampaignFormPage.Option]
        var tags: [CampaignFormPage.Option]
        var error: String?
    }
}
