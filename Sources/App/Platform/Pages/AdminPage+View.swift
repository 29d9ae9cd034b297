import ADSappCore
import Foundation
import SafeHTML

extension AdminPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let (rows, number, notice, error) = (model.rows, model.number, model.notice, model.error)
        return Layout.page(
            t(.adminTitle), chrome,
            .h1(.text(t(.adminTitle))),
            Forms.alert(notice, kind: "notice"),
            Forms.alert(error),
            .p(.a(.href(SiteURL.adminJobs.path), .text(t(.adminJobsLink)))),
            .p(.a(.href(SiteURL.adminOutbox.path), .text(t(.adminOutboxLink)))),
            .section(
                .class("panel"), .data(named: "testid", value: "platform-number"),
                .h2(.text(t(.adminNumberTitle))),
                .unwrap(
                    number,
                    { number in
                        .group(
                            .p(.text(t(.adminNumberIntro, ["id": number.phoneNumberID]))),
                            .p(
                                .text(
                                    number.organizationID == nil
                                        ? t(.adminNumberUnassigned) : t(.adminNumberAssignedTo, ["organization": number.organizationName ?? ""])))
                        )
                    }, else: .p(.class("muted"), .text(t(.adminNumberNone))))
            ),
            .h2(.text(t(.adminOrganizations))),
            .div(
                .class("table-wrap"),
                .table(
                    .class("data-table"),
                    .thead(
                        .tr(
                            .th(.text(t(.membersName))), .th(.text(t(.adminCreated))), .th(.text(t(.adminMemberCount))),
                            .if(number != nil, .th(.text(t(.adminNumberColumn))))
                        )),
                    .tbody(
                        .forEach(rows) { row in
                            .tr(
                                .td(.text(row.name)), .td(.text(t.date(row.created))), .td(.text(String(row.memberCount))),
                                .unwrap(number) { number in .td(assignCell(row, number, chrome)) })
                        })
                ))
        )
    }

    /// Nothing once the number is connected elsewhere; its holder says so; the others get the form.
    private static func assignCell(_ row: Row, _ number: PlatformNumber, _ chrome: Chrome) -> Node {
        guard let id = row.id else { return .empty }
        if number.organizationID == id { return .span(.class("badge"), .text(chrome.t(.adminNumberHere))) }
        guard number.organizationID == nil else { return .empty }
        return .form(
            .method(.post), .action(SiteURL.adminAssignNumber(.value(id)).path), .class("inline-form"),
            .data(named: "testid", value: "assign-number"),
            Forms.csrf(chrome.csrfToken),
            .button(.type(.submit), .class("button-secondary"), .text(chrome.t(.adminNumberAssign)))
        )
    }
}
