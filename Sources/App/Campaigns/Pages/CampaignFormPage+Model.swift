import Foundation

/// `/campaigns/new`: a new broadcast in two steps on one page: first the number and the approved
/// template, then where each of the template's variables comes from, and the audience.
enum CampaignFormPage {
    struct Option: Sendable, Equatable {
        var value: String
        var label: String
    }

    /// One variable of the chosen template and what the form says of it.
    struct Variable: Sendable {
        /// The form's name prefix: `body0`, `header`, `button1`.
        var key: String
        /// "{{1}}" in the body, the header's variable, or a button's link.
        var label: String
        var source: String
        var text: String
        var fallback: String
    }

    struct Model {
        var numbers: [Option]
        var templates: [Option]
        var connectionID: String?
        /// `name|language` of the chosen template.
        var template: String?
        var templateText: TemplateText?
        var variables: [Variable]
        var needsHeaderMedia: String?
        var headerMedia: String
        var sources: [Option]
        var segments: [Option]
        var tags: [Option]
        var name: String
        var segmentID: String?
        var tagIDs: Set<String>
        var error: String?
    }
}
