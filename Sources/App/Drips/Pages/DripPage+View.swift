import Foundation
import SafeHTML

extension DripPage {
    static func statusText(_ status: DripSequence.Status, _ t: Localizer) -> String {
        switch status {
        case .draft: t(.dripStatusDraft)
        case .active: t(.dripStatusActive)
        case .paused: t(.dripStatusPaused)
        }
    }

    static func exitReasonText(_ reason: String, _ t: Localizer) -> String {
        switch DripEnrolment.ExitReason(rawValue: reason) {
        case .replied: t(.dripExitedReplied)
        case .optedOut: t(.dripExitedOptedOut)
        case .exitTag: t(.dripExitedTag)
        case .erased: t(.campaignSkipErased)
        case .removed, nil: reason
        }
    }

    static func skipText(_ reason: String, _ t: Localizer) -> String {
        switch DripDelivery.SkipReason(rawValue: reason) {
        case .noConsent: t(.campaignSkipNoConsent)
        case .noNumber: t(.campaignSkipNoNumber)
        case .missingValue: t(.campaignSkipMissingValue)
        case .windowClosed: t(.dripSkipWindowClosed)
        case .templateUnavailable: t(.dripSkipTemplateUnavailable)
        case nil: reason
        }
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let statistics = model.statistics
        let numbers: [(String, TextKey, Int)] = [
            ("enrolled", .dripStatEnrolled, statistics.enrolled), ("active", .dripStatActive, statistics.active),
            ("completed", .dripStatCompleted, statistics.completed), ("exited", .dripStatExited, statistics.exited),
        ]
        let draft = model.status == .draft
        return Layout.page(
            model.name, chrome,
            .p(.a(.href(SiteURL.drips.path), .text(t(.dripsTitle)))),
            .h1(.text(model.name)),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .section(
                .class("panel"), .id("drip-summary"),
                .p(.strong(.text(t(.campaignsColumnStatus) + ": ")), .span(.data(named: "field", value: "status"), .text(statusText(model.status, t)))),
                .element(
                    named: "dl",
                    nodes: [
                        .class("drip-settings"),
                        .element(named: "dt", text: t(.campaignFormNumber)), .element(named: "dd", text: model.numberName),
                        .element(named: "dt", text: t(.dripFormEnrolment)), .element(named: "dd", text: model.enrolment),
                        .element(named: "dt", text: t(.dripFormExit)), .element(named: "dd", text: model.exit),
                        .element(named: "dt", text: t(.dripFormWindow)), .element(named: "dd", text: model.window),
                    ]),
                .element(
                    named: "dl",
                    nodes: [
                        .class("campaign-numbers"),
                        .forEach(numbers) { name, key, value in
                            .group(
                                .element(named: "dt", text: t(key)), .element(named: "dd", nodes: [.data(named: "field", value: name), .text(String(value))]))
                        },
                    ]),
                .if(
                    !statistics.exits.isEmpty,
                    .ul(
                        .id("drip-exits"),
                        .forEach(statistics.exits.sorted { $0.key < $1.key }) { reason, count in
                            .li(.text(t(.dripExitCount, ["reason": exitReasonText(reason, t), "count": String(count)])))
                        }))
            ),
            .if(model.canManage, actions(model, chrome)),
            .section(
                .class("panel"), .h2(.text(t(.dripSteps))),
                .if(
                    model.steps.isEmpty, .p(.class("muted"), .id("drip-no-steps"), .text(t(.dripNoSteps))),
                    // Ten columns scroll on a narrow screen: the region takes the focus so a keyboard can scroll it.
                    else: .div(
                        .class("table-wrap"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
                        .attribute(named: "aria-label", value: t(.dripSteps)),
                        .table(
                            .class("data-table"), .id("drip-steps"),
                            .thead(
                                .tr(
                                    .th(.text("#")), .th(.text(t(.dripStepWhen))), .th(.text(t(.dripStepMessage))), .th(.text(t(.dripStatWaiting))),
                                    .th(.text(t(.campaignStatQueued))), .th(.text(t(.campaignStatSent))), .th(.text(t(.campaignStatDelivered))),
                                    .th(.text(t(.campaignStatRead))), .th(.text(t(.campaignStatFailed))), .th(.text(t(.campaignStatSkipped))),
                                    .if(draft && model.canManage, .th(.text(""))))),
                            .tbody(
                                .forEach(model.steps) { step in
                                    .tr(
                                        .data(named: "step", value: String(step.position)),
                                        .td(.text(String(step.position))), .td(.text(delayText(step.delayMinutes, t: t))),
                                        .td(.class(step.kind == .text ? "preserve-lines" : ""), .text(step.summary)),
                                        .td(.text(String(step.statistics.waiting))), .td(.text(String(step.statistics.queued))),
                                        .td(.text(String(step.statistics.sent))), .td(.text(String(step.statistics.delivered))),
                                        .td(.text(String(step.statistics.read))), .td(.text(String(step.statistics.failed))),
                                        .td(
                                            .text(String(step.statistics.skipped)),
                                            .forEach(step.statistics.skips.sorted { $0.key < $1.key }) { reason, count in
                                                .div(.class("muted"), .text("\(skipText(reason, t)): \(count)"))
                                            }),
                                        .if(
                                            draft && model.canManage,
                                            .td(
                                                .form(
                                                    .method(.post), .action(SiteURL.dripStepDelete(.value(model.id)).path), .class("inline-form"),
                                                    Forms.csrf(chrome.csrfToken), .input(.type(.hidden), .name("step_id"), .value(step.id.uuidString)),
                                                    .button(.type(.submit), .class("button-secondary"), .text(t(.dripStepRemove)))))))
                                })))),
                .if(model.steps.contains { $0.statistics.sent + $0.statistics.queued + $0.statistics.failed > 0 }, DripChartView.svg(model.steps, t))
            ),
            .unwrap(model.addStep) { addStepForm($0, model: model, chrome) }
        )
    }

    private static func actions(_ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        func button(_ url: SiteURL, _ label: TextKey, _ style: String) -> Node {
            .form(
                .method(.post), .action(url.path), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                .button(.type(.submit), .class(style), .text(t(label))))
        }
        let id = SiteURL.Parameter.value(model.id)
        // A section, not a paragraph: a form cannot sit inside a <p>.
        return .section(
            .class("panel actions"), .id("drip-actions"),
            .if(model.status == .draft, .a(.href(SiteURL.dripEdit(id).path), .class("button button-secondary"), .text(t(.dripEdit)))),
            .if(model.status != .active && !model.steps.isEmpty, button(.dripActivate(id), .dripActivate, "button-primary")),
            .if(model.status == .active, button(.dripPause(id), .dripPause, "button-secondary")),
            .if(model.status != .active, button(.dripDelete(id), .dripDelete, "button-danger")))
    }

    private static func addStepForm(_ form: AddStep, model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        let options = { (list: [CampaignFormPage.Option]) in list.map { (value: $0.value, label: $0.label) } }
        let units: [(value: String, label: String)] = [
            (value: "minutes", label: t(.dripUnitMinutes)), (value: "hours", label: t(.dripUnitHours)), (value: "days", label: t(.dripUnitDays)),
        ]
        return .section(
            .class("panel"), .id("drip-add-step"),
            .h2(.text(t(.dripAddStep))),
            .form(
                .id("drip-step-choice"), .method(.get), .action(SiteURL.drip(.value(model.id)).path),
                .label(.id("drip-step-label"), .for("drip-step"), .text(t(.dripStepMessage))),
                Forms.select(id: "drip-step", name: "step", options: options(form.choices), selected: form.chosen, labelledBy: "drip-step-label"),
                .p(.class("actions"), .button(.type(.submit), .class("button-secondary"), .text(t(.dripStepChoose))))),
            .unwrap(form.chosen) { chosen in
                .form(
                    .id("drip-step-form"), .method(.post), .action(SiteURL.dripSteps(.value(model.id)).path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    .input(.type(.hidden), .name("step"), .value(chosen)),
                    Forms.field(
                        label: t(.dripStepDelay), name: "delay_amount", type: .number, value: form.delayAmount, autocomplete: "off",
                        hint: t(model.steps.isEmpty ? .dripStepDelayFirstHint : .dripStepDelayHint)),
                    .label(.id("drip-unit-label"), .for("drip-unit"), .text(t(.dripStepUnit))),
                    Forms.select(id: "drip-unit", name: "delay_unit", options: units, selected: form.delayUnit, labelledBy: "drip-unit-label"),
                    .if(
                        chosen == "text",
                        .div(
                            .class("field"),
                            .label(.for("drip-text"), .text(t(.dripStepText))),
                            .p(.id("drip-text-hint"), .class("field-hint"), .text(t(.dripStepTextHint))),
                            .textarea(
                                .id("drip-text"), .name("text"), .attribute(named: "rows", value: "4"),
                                .attribute(named: "aria-describedby", value: "drip-text-hint"), .text(form.text))),
                        else: .unwrap(form.templateText) { text in
                            TemplateVariableForm.html(
                                text: text, variables: form.variables, sources: form.sources, headerMedia: form.headerMedia,
                                headerMediaLink: form.headerMediaLink, t)
                        }),
                    .p(.class("actions"), .button(.type(.submit), .class("button-primary"), .text(t(.dripAddStep)))))
            })
    }
}

/// Per step, how many messages were sent, delivered and read: where a sequence loses its contacts.
enum DripChartView {
    static let width = 640.0
    static let rowHeight = 54.0

    static func svg(_ steps: [DripPage.StepRow], _ t: Localizer) -> Node {
        let top = Double(max(1, steps.map { $0.statistics.sent + $0.statistics.queued }.max() ?? 1))
        let height = rowHeight * Double(steps.count) + 24
        let series: [(TextKey, String, (DripStatistics.Step) -> Int)] = [
            (.campaignStatSent, "#2b6cb0", { $0.sent + $0.queued }), (.campaignStatDelivered, "#2f855a", { $0.delivered }),
            (.campaignStatRead, "#805ad5", { $0.read }),
        ]
        let summary = steps.map { step in
            t(
                .dripChartStep,
                [
                    "step": String(step.position), "sent": String(step.statistics.sent + step.statistics.queued),
                    "delivered": String(step.statistics.delivered), "read": String(step.statistics.read),
                ])
        }.joined(separator: "; ")
        return SVGChart.drawing(
            class: "drip-chart", testID: "drip-chart", width: width, height: height, title: t(.dripChartTitle) + ": " + summary,
            steps.enumerated().map { index, step in
                let y = Double(index) * rowHeight
                return .group(
                    SVGChart.label("#\(step.position)", x: 4, y: y + 28),
                    .forEach(Array(series.enumerated())) { row, entry in
                        let value = entry.2(step.statistics)
                        let barWidth = (width - 160) * Double(value) / top
                        return .group(
                            SVGChart.bar(x: 40, y: y + 6 + Double(row) * 14, width: barWidth, height: 11, fill: entry.1),
                            SVGChart.label("\(t(entry.0)) \(value)", x: 46 + barWidth, y: y + 16 + Double(row) * 14))
                    })
            })
    }
}
