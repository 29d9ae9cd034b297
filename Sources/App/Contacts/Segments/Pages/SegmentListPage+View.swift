import Foundation
import SafeHTML

extension SegmentListPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.segmentsTitle), chrome,
            .p(.a(.href(SiteURL.contacts.path), .text(t(.contactsTitle)))),
            .h1(.text(t(.segmentsTitle))),
            Forms.alert(model.notice, kind: "notice"),
            .p(.class("actions"), .a(.href(SiteURL.segmentNew.path), .class("button button-primary"), .text(t(.segmentsNew)))),
            .if(
                model.rows.isEmpty, .p(.class("muted"), .id("segments-empty"), .text(t(.segmentsEmpty))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"), .id("segments-table"),
                        .thead(
                            .tr(
                                .th(.text(t(.segmentsColumnName))), .th(.text(t(.segmentsColumnContacts))), .th(.text(t(.segmentsColumnUpdated))),
                                .th(.text(t(.segmentsColumnActions))))),
                        .tbody(
                            .forEach(model.rows) { row in
                                .tr(
                                    .data(named: "segment-id", value: row.id.uuidString),
                                    .td(.a(.href(SiteURL.segment(.value(row.id)).path), .text(row.name))),
                                    .td(
                                        .data(named: "field", value: "count"),
                                        .text(row.count.map { SegmentFormPage.countText($0, t) } ?? t(.segmentsCountUnavailable))),
                                    .td(.text(t.dateTime(row.updatedAt))),
                                    .td(
                                        .class("row-actions"),
                                        .a(
                                            .href(row.contactsURL), .attribute(named: "aria-label", value: t(.segmentsShowContactsNamed, ["name": row.name])),
                                            .text(t(.segmentsShowContacts))),
                                        .text(" "),
                                        .a(
                                            .href(SiteURL.segmentDelete(.value(row.id)).path),
                                            .attribute(named: "aria-label", value: t(.segmentsDeleteNamed, ["name": row.name])), .text(t(.segmentsDelete)))))
                            }))))
        )
    }
}
