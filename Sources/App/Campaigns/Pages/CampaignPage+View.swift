import Foundation
import SafeHTML

extension CampaignPage {
    static func statusText(_ status: Campaign.Status, _ t: Localizer) -> String {
        switch status {
        case .draft: t(.campaignStatusDraft)
        case .scheduled: t(.campaignStatusScheduled)
        case .sending: t(.campaignStatusSending)
        case .paused: t(.campaignStatusPaused)
        case .finished: t(.campaignStatusFinished)
        case .cancelled: t(.campaignStatusCancelled)
        case .stopped: t(.campaignStatusStopped)
        }
    }

    static func skipText(_ reason: String, _ t: Localizer) -> String {
        switch CampaignRecipient.SkipReason(rawValue: reason) {
        case .optedOut: t(.campaignSkipOptedOut)
        case .noConsent: t(.campaignSkipNoConsent)
        case .noNumber: t(.campaignSkipNoNumber)
        case .missingValue: t(.campaignSkipMissingValue)
        case .erased: t(.campaignSkipErased)
        case nil: reason
        }
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let statistics = model.statistics
        let percent = Int((statistics.progress * 100).rounded())
        let numbers: [(String, TextKey, Int)] = [
            ("audience", .campaignStatAudience, statistics.audience), ("queued", .campaignStatQueued, statistics.queued),
            ("sent", .campaignStatSent, statistics.sent), ("delivered", .campaignStatDelivered, statistics.delivered),
            ("read", .campaignStatRead, statistics.read), ("failed", .campaignStatFailed, statistics.failed),
            ("unknown", .campaignStatUnknown, statistics.unknown), ("skipped", .campaignStatSkipped, statistics.skipped),
            ("replied", .campaignStatReplied, statistics.replied), ("opted_out", .campaignStatOptedOut, statistics.optedOut),
        ]
        let live = model.status == .scheduled || model.status == .sending
        return Layout.page(
            model.name, chrome,
            .p(.a(.href(SiteURL.campaigns.path), .text(t(.campaignsTitle)))),
            .h1(.text(model.name)),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .section(
                .class("panel"), .id("campaign-progress"),
                .data(named: "source", value: "/api/v1/campaigns/\(model.id.uuidString)"), .data(named: "live", value: live ? "true" : "false"),
                .p(
                    .strong(.text(t(.campaignsColumnStatus) + ": ")),
                    .span(.data(named: "field", value: "status"), .attribute(named: "role", value: "status"), .text(statusText(model.status, t)))),
                .unwrap(model.stopReason) { .p(.class("alert alert-error"), .text(t(.campaignStopReason, ["reason": $0]))) },
                .p(.data(named: "field", value: "waiting_reason"), .class("muted"), .text(model.waitingReason ?? "")),
                .p(.text(t(.campaignNumberAndTemplate, ["number": model.numberName, "template": model.templateName]))),
                .unwrap(model.sendAt) { .p(.text(t(.campaignSendAt, ["time": t.dateTime($0)]))) },
                .label(.for("campaign-progress-bar"), .text(t(.campaignsColumnProgress))),
                .element(
                    named: "progress",
                    nodes: [
                        .id("campaign-progress-bar"), .attribute(named: "max", value: "100"), .attribute(named: "value", value: String(percent)),
                        .text("\(percent)%"),
                    ]),
                .element(
                    named: "dl",
                    nodes: [
                        .class("campaign-numbers"),
                        .forEach(numbers) { name, key, value in
                            .group(
                                .element(named: "dt", text: t(key)), .element(named: "dd", nodes: [.data(named: "field", value: name), .text(String(value))]))
                        },
                    ])
            ),
            .if(model.canManage, actions(model, chrome)),
            .if(
                !statistics.failures.isEmpty,
                .section(
                    .class("panel"), .h2(.text(t(.campaignFailuresTitle))),
                    .table(
                        .class("data-table"), .id("campaign-failures"),
                        .thead(.tr(.th(.text(t(.campaignReason))), .th(.text(t(.campaignErrorCode))), .th(.text(t(.campaignCount))))),
                        .tbody(
                            .forEach(statistics.failures) { failure in
                                .tr(.td(.text(failure.reason)), .td(.text(failure.code.map(String.init) ?? "")), .td(.text(String(failure.count))))
                            })))),
            .if(
                !statistics.skips.isEmpty,
                .section(
                    .class("panel"), .h2(.text(t(.campaignSkipsTitle))),
                    .table(
                        .class("data-table"), .id("campaign-skips"),
                        .thead(.tr(.th(.text(t(.campaignReason))), .th(.text(t(.campaignCount))))),
                        .tbody(.forEach(statistics.skips) { skip in .tr(.td(.text(skipText(skip.reason, t))), .td(.text(String(skip.count)))) })))),
            .if(
                model.chart.points.count > 1,
                .section(.class("panel"), .h2(.text(t(.campaignChartTitle))), CampaignChartView.svg(model.chart, t))),
            .unwrap(model.preview) { preview in
                .section(
                    .class("panel"), .id("campaign-preview"),
                    .h2(.text(t(.campaignPreviewTitle, ["name": preview.contactName]))),
                    .unwrap(preview.skipped) { .p(.class("muted"), .text(t(.campaignPreviewSkipped, ["reason": skipText($0.rawValue, t)]))) },
                    .div(
                        .class("template-preview"),
                        .unwrap(preview.text.header) { .p(.strong(.text($0))) },
                        .p(.class("preserve-lines"), .text(preview.text.body)),
                        .unwrap(preview.text.footer) { .p(.class("muted"), .text($0)) },
                        .forEach(preview.text.buttons) { button in .p(.class("template-button"), .text(button.text)) }))
            },
            .p(.a(.href(SiteURL.campaignExport(.value(model.id)).path), .text(t(.campaignExport)))),
            .script(.attribute(named: "type", value: "module"), .src(SiteURL.campaignScript.path))
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
        return .section(
            .class("panel actions"), .id("campaign-actions"),
            .if(
                model.status == .draft || model.status == .scheduled,
                .form(
                    .method(.post), .action(SiteURL.campaignStart(id).path), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                    .label(.for("campaign-send-at"), .text(t(.campaignSendAtLabel, ["zone": model.timeZone]))), .text(" "),
                    .input(.type(.text), .id("campaign-send-at"), .name("send_at"), .attribute(named: "placeholder", value: "2026-12-24T09:00")),
                    .text(" "),
                    .button(.type(.submit), .class("button-primary"), .text(t(model.status == .draft ? .campaignStart : .campaignReschedule))))),
            .if(model.status == .sending, button(.campaignPause(id), .campaignPause, "button-secondary")),
            .if(model.status == .paused, button(.campaignResume(id), .campaignResume, "button-primary")),
            .if(!model.status.isOver, button(.campaignCancel(id), .campaignCancel, "button-danger")),
            // Outcomes no callback settled: a member's choice to send them again, after the grace period.
            .if(
                model.statistics.unknown > 0 && [.sending, .paused, .finished].contains(model.status),
                .group(
                    .p(.class("muted"), .text(t(.campaignResendHint, ["count": String(model.statistics.unknown)]))),
                    button(.campaignResend(id), .campaignResend, "button-secondary")))
        )
    }
}

/// The chart of a campaign's messages over time as inline SVG, built from escaped nodes: a line each
/// for sent, delivered and read, with the totals in the legend.
enum CampaignChartView {
    static let width = 640.0
    static let height = 200.0

    static func svg(_ chart: CampaignChart, _ t: Localizer) -> Node {
        let top = max(1, chart.points.map(\.sent).max() ?? 1)
        let count = Double(max(1, chart.points.count - 1))
        func line(_ value: (CampaignChart.Point) -> Int, _ color: String, _ dashes: String?) -> Node {
            let points = chart.points.enumerated().map { index, point in
                let x = 40 + (width - 50) * Double(index) / count
                let y = 10 + (height - 40) * (1 - Double(value(point)) / Double(top))
                return String(format: "%.1f,%.1f", x, y)
            }.joined(separator: " ")
            var nodes: [Node] = [
                .attribute(named: "points", value: points), .attribute(named: "fill", value: "none"), .attribute(named: "stroke", value: color),
                .attribute(named: "stroke-width", value: "2"),
            ]
            if let dashes { nodes.append(.attribute(named: "stroke-dasharray", value: dashes)) }
            return .element(named: "polyline", nodes: nodes)
        }
        func label(_ text: String, x: Double, y: Double, anchor: String = "start") -> Node { SVGChart.label(text, x: x, y: y, anchor: anchor) }
        let last = chart.points.last
        let title = t(
            .campaignChartSummary,
            ["sent": String(last?.sent ?? 0), "delivered": String(last?.delivered ?? 0), "read": String(last?.read ?? 0)])
        return SVGChart.drawing(
            class: "campaign-chart", testID: "campaign-chart", width: width, height: height, title: title,
            [
                .element(
                    named: "line",
                    nodes: [
                        .attribute(named: "x1", value: "40"), .attribute(named: "y1", value: String(Int(height - 30))),
                        .attribute(named: "x2", value: String(Int(width - 10))), .attribute(named: "y2", value: String(Int(height - 30))),
                        .attribute(named: "stroke", value: "#999"),
                    ]),
                label(String(top), x: 34, y: 16, anchor: "end"), label("0", x: 34, y: height - 30, anchor: "end"),
                label(chart.points.first.map { t.dateTime($0.at) } ?? "", x: 40, y: height - 12),
                label(last.map { t.dateTime($0.at) } ?? "", x: width - 10, y: height - 12, anchor: "end"),
                line(\.sent, "#1f6feb", nil), line(\.delivered, "#2da44e", "6 3"), line(\.read, "#8250df", "2 3"),
                label(t(.campaignStatSent), x: 60, y: 24), label(t(.campaignStatDelivered), x: 160, y: 24), label(t(.campaignStatRead), x: 280, y: 24),
            ])
    }
}
