import Foundation
import SafeHTML

extension CampaignListPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.campaignsTitle), chrome,
            .h1(.text(t(.campaignsTitle))),
            .p(.class("muted"), .text(t(.sectionCampaignsAbout))),
            Forms.alert(model.notice, kind: "notice"),
            .p(
                .class("actions"),
                .if(model.canManage, .group(.a(.href(SiteURL.campaignNew.path), .class("button button-primary"), .text(t(.campaignsNew))), .text(" "))),
                .a(.href(SiteURL.drips.path), .class("button button-secondary"), .id("drips-link"), .text(t(.dripsLink)))),
            .if(
                model.rows.isEmpty, .p(.class("muted"), .id("campaigns-empty"), .text(t(.campaignsEmpty))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"), .id("campaigns-table"),
                        .thead(
                            .tr(
                                .th(.text(t(.campaignsColumnName))), .th(.text(t(.campaignsColumnStatus))), .th(.text(t(.campaignsColumnProgress))),
                                .th(.text(t(.campaignStatSent))), .th(.text(t(.campaignStatDelivered))), .th(.text(t(.campaignStatRead))),
                                .th(.text(t(.campaignsColumnCreated))))),
                        .tbody(
                            .forEach(model.rows) { row in
                                .tr(
                                    .data(named: "campaign-id", value: row.id.uuidString),
                                    .td(.a(.href(SiteURL.campaign(.value(row.id)).path), .text(row.name))),
                                    .td(.text(CampaignPage.statusText(row.status, t))),
                                    .td(.text("\(Int((row.statistics.progress * 100).rounded())) %")),
                                    .td(.text(String(row.statistics.sent))), .td(.text(String(row.statistics.delivered))),
                                    .td(.text(String(row.statistics.read))), .td(.text(t.dateTime(row.createdAt))))
                            }))))
        )
    }
}
