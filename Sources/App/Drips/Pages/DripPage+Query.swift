import ADSappCore
import Fluent
import Foundation
import Vapor

extension DripPage {
    /// What the add-step form posted (or its first step's query), read through `value`.
    struct StepValues {
        var chosen: String?
        var delayAmount = "1"
        var delayUnit = "days"
        var text = ""
        var headerMediaLink = ""
        var value: (String) -> String? = { _ in nil }

        init(chosen: String? = nil) { self.chosen = chosen }

        init(_ content: any ContentContainer) {
            chosen = content[String.self, at: "step"]
            delayAmount = content[String.self, at: "delay_amount"] ?? ""
            delayUnit = content[String.self, at: "delay_unit"] ?? "days"
            text = content[String.self, at: "text"] ?? ""
            headerMediaLink = content[String.self, at: "header_media"] ?? ""
            value = { content[String.self, at: $0] }
        }
    }

    static let delayUnits: [(name: String, minutes: Int)] = [("minutes", 1), ("hours", 60), ("days", 1440)]

    static func query(_ tenant: Tenant, _ sequence: DripSequence, step values: StepValues, t: Localizer, notice: String?, error: String?)
        async throws -> Model
    {
        let scope = tenant.scope
        let steps = try await scope.query(DripStep.self).filter(\.$sequenceID == sequence.requireID()).sort(\.$position).all()
        let statistics = try await DripStatistics.of(sequence, steps: steps, in: scope)
        let connection = try await scope.find(WhatsAppConnection.self, sequence.connectionID)
        let rows = try steps.map { step in
            StepRow(
                id: try step.requireID(), position: step.position, delayMinutes: step.delayMinutes, kind: step.kind,
                summary: step.kind == .template ? "\(step.templateName ?? "") (\(step.templateLanguage ?? ""))" : step.text ?? "",
                statistics: statistics.steps.first { $0.position == step.position } ?? .init(position: step.position))
        }
        var addStep: AddStep?
        if sequence.status == .draft, tenant.role.can(.manageCampaigns), steps.count < DripActions.maxSteps, let connection {
            addStep = try await self.addStep(values, connection: connection, in: scope, t: t)
        }
        return Model(
            id: try sequence.requireID(), name: sequence.name, status: sequence.status, numberName: connection.map(CampaignPage.numberName) ?? "",
            enrolment: try await enrolmentText(sequence, in: scope, t: t), exit: try await exitText(sequence, in: scope, t: t),
            window: windowText(sequence.window, t: t), steps: rows, statistics: statistics, addStep: addStep,
            canManage: tenant.role.can(.manageCampaigns), notice: notice, error: error)
    }

    private static func addStep(_ values: StepValues, connection: WhatsAppConnection, in scope: TenantScope, t: Localizer) async throws -> AddStep {
        let approved = try await scope.query(MessageTemplate.self).filter(\.$businessAccountID == connection.businessAccountID)
            .filter(\.$status == "APPROVED").sort(\.$name).sort(\.$language).all()
        let chosenTemplate = approved.first { "\($0.name)|\($0.language)" == values.chosen }
        let text = chosenTemplate.map { TemplateText(components: $0.components) }
        let choices =
            [CampaignFormPage.Option(value: "text", label: t(.dripStepFreeText))]
            + approved.map { .init(value: "\($0.name)|\($0.language)", label: "\($0.name) (\($0.language), \($0.category.lowercased()))") }
        return AddStep(
            choices: choices, chosen: values.chosen == "text" ? "text" : chosenTemplate.map { "\($0.name)|\($0.language)" }, templateText: text,
            variables: text.map { TemplateVariableForm.variables(of: $0, value: values.value, t: t) } ?? [],
            sources: TemplateVariableForm.sources(try await ContactDirectory.fieldDefinitions(in: scope), t: t),
            headerMedia: TemplateVariableForm.headerMedia(of: text), headerMediaLink: values.headerMediaLink, delayAmount: values.delayAmount,
            delayUnit: values.delayUnit, text: values.text)
    }

    /// The step the add-step form describes, for `DripActions.addStep`.
    static func input(_ values: StepValues, _ form: AddStep) throws -> DripActions.Input.Step {
        guard let amount = Int(values.delayAmount.trimmingCharacters(in: .whitespaces)), amount >= 0,
            let unit = delayUnits.first(where: { $0.name == values.delayUnit }), amount <= DripActions.maxDelayMinutes / unit.minutes
        else { throw CampaignProblem.invalid(field: "step.delay", problem: "give a whole number of minutes, hours or days, up to a year") }
        var step = DripActions.Input.Step(delayMinutes: amount * unit.minutes)
        if form.chosen == "text" {
            step.text = values.text
        } else {
            let template = form.chosen?.split(separator: "|", maxSplits: 1).map(String.init) ?? []
            step.templateName = template.first
            step.templateLanguage = template.count == 2 ? template[1] : nil
            step.message = TemplateVariableForm.message(form.variables, text: form.templateText, headerMediaLink: values.headerMediaLink)
        }
        return step
    }

    // MARK: - Settings in words

    static func enrolmentText(_ sequence: DripSequence, in scope: TenantScope, t: Localizer) async throws -> String {
        var parts: [String] = []
        if let id = sequence.enrolSegmentID, let segment = try await scope.find(Segment.self, id) {
            parts.append(t(.dripEnrolSegment, ["name": segment.name]))
        }
        if let id = sequence.enrolTagID, let tag = try await scope.find(Tag.self, id) {
            parts.append(t(sequence.enrolOnTagAdded ? .dripEnrolTagAndLater : .dripEnrolTag, ["name": tag.name]))
        }
        return parts.isEmpty ? t(.dripEnrolNobody) : parts.joined(separator: "; ")
    }

    static func exitText(_ sequence: DripSequence, in scope: TenantScope, t: Localizer) async throws -> String {
        var parts = [t(.dripExitOptOut)]
        if sequence.exitOnReply { parts.append(t(.dripExitReply)) }
        if let id = sequence.exitTagID, let tag = try await scope.find(Tag.self, id) { parts.append(t(.dripExitTag, ["name": tag.name])) }
        return parts.joined(separator: "; ")
    }

    static func windowText(_ window: DripSendWindow, t: Localizer) -> String {
        let days = zip(DripSendWindow.Days.ordered, DripSendWindow.dayLabels).filter { window.days.contains($0.0) }.map { t($0.1) }
        let dayText = window.days == .all ? t(.dripWindowEveryDay) : days.joined(separator: ", ")
        guard let start = window.startMinute, let end = window.endMinute else { return t(.dripWindowAllDay, ["days": dayText]) }
        return t(.dripWindowHours, ["days": dayText, "start": TimeOfDay.text(start), "end": TimeOfDay.text(end)])
    }

    static func delayText(_ minutes: Int, t: Localizer) -> String {
        if minutes == 0 { return t(.dripDelayNone) }
        if minutes % 1440 == 0 { return t(.dripDelayDays, ["count": String(minutes / 1440)]) }
        if minutes % 60 == 0 { return t(.dripDelayHours, ["count": String(minutes / 60)]) }
        return t(.dripDelayMinutes, ["count": String(minutes)])
    }
}
