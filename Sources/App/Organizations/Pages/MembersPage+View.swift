import ADSappCore
import Foundation
import SafeHTML

extension MembersPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.membersTitle), chrome,
            .h1(.text(t(.membersTitle))),
            .p(.class("lead"), .text(t(.membersIntro, ["organization": model.organizationName]))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .div(
                .class("table-wrap"),
                .table(
                    .class("data-table"),
                    .thead(
                        .tr(
                            .th(.text(t(.membersName))), .th(.text(t(.membersEmail))), .th(.text(t(.membersRole))),
                            .th(.text(t(.membersJoined))), .th(.text(t(.membersActions)))
                        )),
                    .tbody(
                        .forEach(model.rows) { row in
                            .tr(
                                .data(named: "membership-id", value: row.membershipID.uuidString),
                                .td(.text(row.name), .if(row.isSelf, .span(.class("muted"), .text(" " + t(.membersYou))))),
                                .td(.text(row.email)),
                                .td(.if(row.assignableRoles.isEmpty, .text(t.role(row.role)), else: roleForm(row, chrome))),
                                .td(.text(t.date(row.joined))),
                                .td(
                                    .if(
                                        row.canRemove,
                                        .form(
                                            .method(.post), .action(SiteURL.memberRemove(.value(row.membershipID)).path), .class("inline-form"),
                                            Forms.csrf(chrome.csrfToken),
                                            .button(.type(.submit), .class("button-danger"), .text(row.isSelf ? t(.membersLeave) : t(.membersRemove)))
                                        )))
                            )
                        })
                ))
        )
    }

    private static func roleForm(_ row: Row, _ chrome: Chrome) -> Node {
        let t = chrome.t
        let selectID = "role-\(row.membershipID.uuidString)"
        return .form(
            .method(.post), .action(SiteURL.memberRole(.value(row.membershipID)).path), .class("inline-form"),
            Forms.csrf(chrome.csrfToken),
            .label(.for(selectID), .class("visually-hidden"), .text(t(.membersRoleFor, ["name": row.name]))),
            Forms.select(id: selectID, name: "role", options: row.assignableRoles.map { ($0.rawValue, t.role($0)) }, selected: row.role.rawValue),
            .button(.type(.submit), .class("button-secondary"), .text(t(.membersSave)))
        )
    }
}
