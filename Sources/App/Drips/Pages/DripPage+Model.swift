import Foundation

/// `/drips/{id}`: a sequence's settings, its steps with what each reached, where its contacts stand,
/// its actions, and (for a draft) the form that adds a step.
enum DripPage {
    struct StepRow: Sendable {
        var id: UUID
        var position: Int
        var delayMinutes: Int
        var kind: DripStep.Kind
        /// The template's name and language, or the text.
        var summary: String
        var statistics: DripStatistics.Step
    }

    /// The form that adds a step: first what it sends (free text or a template), then its delay and
    /// (for a template) where each variable comes from.
    struct AddStep {
        var choices: [CampaignFormPage.Option]
        /// `text`, or `name|language` of an approved template.
        var chosen: String?
        var templateText: TemplateText?
        var variables: [CampaignFormPage.Variable]
        var sources: [CampaignFormPage.Option]
        var headerMedia: String?
        var headerMediaLink: String
        var delayAmount: String
        var delayUnit: String
        var text: String
    }

    struct Model {
        var id: UUID
        var name: String
        var status: DripSequence.Status
        var numberName: String
        var enrolment: String
        var exit: String
        var window: String
        var steps: [StepRow]
        var statistics: DripStatistics
        var addStep: AddStep?
        var canManage: Bool
        var notice: String?
        var error: String?
    }
}
