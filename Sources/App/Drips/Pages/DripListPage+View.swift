import Foundation
import SafeHTML

extension DripListPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.dripsTitle), chrome,
            .p(.a(.href(SiteURL.campaigns.path), .text(t(.campaignsTitle)))),
            .h1(.text(t(.dripsTitle))),
            .p(.class("muted"), .text(t(.dripsAbout))),
            Forms.alert(model.notice, kind: "notice"),
            .if(model.canManage, .p(.class("actions"), .a(.href(SiteURL.dripNew.path), .class("button button-primary"), .text(t(.dripsNew))))),
            .if(
                model.rows.isEmpty, .p(.class("muted"), .id("drips-empty"), .text(t(.dripsEmpty))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"), .id("drips-table"),
                        .thead(
                            .tr(
                                .th(.text(t(.campaignsColumnName))), .th(.text(t(.campaignsColumnStatus))), .th(.text(t(.dripSteps))),
                                .th(.text(t(.dripStatEnrolled))), .th(.text(t(.dripStatActive))), .th(.text(t(.dripStatCompleted))),
                                .th(.text(t(.dripStatExited))))),
                        .tbody(
                            .forEach(model.rows) { row in
                                .tr(
                                    .data(named: "drip-id", value: row.id.uuidString),
                                    .td(.a(.href(SiteURL.drip(.value(row.id)).path), .text(row.name))),
                                    .td(.text(DripPage.statusText(row.status, t))), .td(.text(String(row.steps))),
                                    .td(.text(String(row.statistics.enrolled))), .td(.text(String(row.statistics.active))),
                                    .td(.text(String(row.statistics.completed))), .td(.text(String(row.statistics.exited))))
                            }))))
        )
    }
}
