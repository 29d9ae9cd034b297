import ADSappCore
import Foundation
import SafeHTML

extension TemplatesPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.templatesTitle), chrome,
            .h1(.text(t(.templatesTitle))),
            .p(.class("lead"), .text(t(.templatesIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .if(
                model.canManage,
                .form(
                    .method(.post), .action(SiteURL.templatesSync.path), Forms.csrf(chrome.csrfToken),
                    .button(.type(.submit), .class("button-secondary"), .text(t(.templatesSync)))
                )),
            .if(
                model.rows.isEmpty, .p(.class("muted"), .text(t(.templatesNone))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"),
                        .thead(
                            .tr(
                                .th(.text(t(.templatesName))), .th(.text(t(.templatesLanguage))), .th(.text(t(.templatesCategory))),
                                .th(.text(t(.templatesStatus))), .th(.text(t(.templatesQuality))), .th(.text(t(.templatesBody))), .th(.text(t(.membersActions)))
                            )),
                        .tbody(
                            .forEach(model.rows) { row in
                                .tr(
                                    .data(named: "template-id", value: row.id.uuidString),
                                    .td(.text(row.name)), .td(.text(row.language)), .td(.text(row.category)),
                                    .td(
                                        .span(.class(row.status == "APPROVED" ? "badge" : "badge badge-muted"), .text(row.status)),
                                        .unwrap(row.rejectedReason) { .p(.class("muted"), .text($0)) }),
                                    .td(.text(row.quality ?? "")),
                                    .td(.text(row.body ?? "")),
                                    .td(
                                        .if(
                                            model.canManage,
                                            .form(
                                                .method(.post), .action(SiteURL.templateDelete(.value(row.id)).path), .class("inline-form"),
                                                Forms.csrf(chrome.csrfToken),
                                                .button(.type(.submit), .class("button-danger"), .text(t(.templatesDelete)))
                                            )))
                                )
                            })
                    ))),
            .if(model.canManage, createForm(chrome))
        )
    }

    private static func createForm(_ chrome: Chrome) -> Node {
        let t = chrome.t
        return .section(
            .class("panel"),
            .h2(.text(t(.templatesCreateTitle))),
            .form(
                .id("template-create-form"), .method(.post), .action(SiteURL.templates.path),
                Forms.csrf(chrome.csrfToken),
                Forms.field(label: t(.templatesName), name: "name", type: .text, autocomplete: "off"),
                Forms.field(label: t(.templatesLanguage), name: "language", type: .text, value: chrome.language == .nl ? "nl" : "en_US", autocomplete: "off"),
                .div(
                    .class("field"),
                    .label(.for("category"), .text(t(.templatesCategory))),
                    Forms.select(
                        id: "category", name: "category", options: [("UTILITY", "UTILITY"), ("MARKETING", "MARKETING"), ("AUTHENTICATION", "AUTHENTICATION")],
                        selected: "UTILITY")),
                Forms.field(label: t(.templatesCreateHeader), name: "headerText", type: .text, autocomplete: "off", required: false),
                .div(.class("field"), .label(.for("body"), .text(t(.templatesBody))), .textarea(.id("body"), .name("body"), .required(true))),
                .div(.class("field"), .label(.for("examples"), .text(t(.templatesCreateExamples))), .textarea(.id("examples"), .name("examples"))),
                Forms.field(label: t(.templatesCreateFooter), name: "footer", type: .text, autocomplete: "off", required: false),
                .div(
                    .class("field"), .label(.for("quickReplies"), .text(t(.templatesCreateQuickReplies))), .textarea(.id("quickReplies"), .name("quickReplies"))
                ),
                .button(.type(.submit), .class("button-primary"), .text(t(.templatesCreateSubmit)))
            )
        )
    }
}
