import ADSappCore
import Foundation
import SafeHTML

/// Settings → WhatsApp numbers: the connected numbers, the webhook to paste into Meta, the connect form.
enum WhatsAppSettingsPage {
    struct Row {
        var id: UUID
        var displayPhoneNumber: String
        var verifiedName: String?
        var quality: String?
        var isBroken: Bool
        var stateDetail: String?
        var webhookURL: String
        var phoneNumberID: String
        var businessAccountID: String
        /// The verify token of a connection with its own Meta app, for those who manage numbers.
        /// The platform's own token is never shown to a tenant.
        var ownVerifyToken: String? = nil
    }

    struct Model {
        var rows: [Row]
        var callbackURL: String
        var hasPlatformSecret: Bool
        var canManage: Bool
        var notice: String?
        var error: String?
        var form: ConnectionInput
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.whatsappTitle), chrome,
            .h1(.text(t(.whatsappTitle))),
            .p(.class("lead"), .text(t(.whatsappIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .if(model.rows.isEmpty, .p(.class("muted"), .text(t(.whatsappNone))), else: .div(.class("table-wrap"), .table(
                .class("data-table"),
                .thead(.tr(
                    .th(.text(t(.whatsappNumber))), .th(.text(t(.whatsappName))), .th(.text(t(.whatsappQuality))),
                    .th(.text(t(.whatsappState))), .th(.text(t(.whatsappWebhookURL))), .th(.text(t(.membersActions)))
                )),
                .tbody(.forEach(model.rows) { row in
                    .tr(
                        .data(named: "connection-id", value: row.id.uuidString),
                        .td(.text(row.displayPhoneNumber), .br(), .span(.class("muted"), .text(row.phoneNumberID))),
                        .td(.text(row.verifiedName ?? "")),
                        .td(.text(row.quality ?? "")),
                        .td(
                            .span(.class(row.isBroken ? "badge badge-danger" : "badge"), .text(row.isBroken ? t(.whatsappStateBroken) : t(.whatsappStateActive))),
                            .unwrap(row.stateDetail) { .p(.class("muted"), .text($0)) }
                        ),
                        .td(.code(.text(row.webhookURL)), .unwrap(row.ownVerifyToken) { token in
                            .p(.class("muted"), .text(t(.whatsappSetupVerifyToken) + ": "), .code(.text(token)))
                        }),
                        .td(.if(model.canManage, .form(
                            .method(.post), .action(SiteURL.whatsAppConnectionCheck(.value(row.id)).path), .class("inline-form"),
                            Forms.csrf(chrome.csrfToken),
                            .button(.type(.submit), .class("button-secondary"), .text(t(.whatsappCheck)))
                        )))
                    )
                })
            ))),
            .section(
                .class("panel"),
                .h2(.text(t(.whatsappSetupTitle))),
                .p(.text(t(.whatsappSetupPlatformApp))),
                .dl(.dt(.text(t(.whatsappSetupCallback))), .dd(.code(.text(model.callbackURL)))),
                .p(.text(t(.whatsappSetupOwnApp))),
                .if(!model.hasPlatformSecret, .p(.class("alert alert-error"), .text(t(.whatsappSetupNoSecret)))),
                .p(.class("muted"), .text(t(.whatsappSetupFields)))
            ),
            .if(model.canManage, connectForm(model, chrome))
        )
    }

    private static func connectForm(_ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        return .section(
            .class("panel"),
            .h2(.text(t(.whatsappConnectTitle))),
            .p(.class("muted"), .text(t(.whatsappConnectHint))),
            .form(
                .id("connect-form"), .method(.post), .action(SiteURL.whatsAppSettings.path),
                Forms.csrf(chrome.csrfToken),
                Forms.field(label: t(.whatsappConnectPhoneNumberID), name: "phone_number_id", type: .text, value: model.form.phoneNumberID, autocomplete: "off"),
                Forms.field(label: t(.whatsappConnectBusinessAccountID), name: "business_account_id", type: .text, value: model.form.businessAccountID, autocomplete: "off"),
                Forms.field(label: t(.whatsappConnectAccessToken), name: "access_token", type: .password, autocomplete: "off"),
                Forms.field(label: t(.whatsappConnectAppSecret), name: "app_secret", type: .password, autocomplete: "off", required: false),
                Forms.field(label: t(.whatsappConnectVerifyToken), name: "verify_token", type: .text, autocomplete: "off", required: false),
                Forms.field(label: t(.whatsappConnectSendsPerSecond), name: "sends_per_second", type: .number, value: model.form.sendsPerSecond.map(String.init) ?? "80", autocomplete: "off"),
                .button(.type(.submit), .class("button-primary"), .text(t(.whatsappConnectSubmit)))
            )
        )
    }
}

/// The organization's message templates, with sync, create and delete.
enum TemplatesPage {
    struct Row {
        var id: UUID
        var name: String
        var language: String
        var category: String
        var status: String
        var quality: String?
        var rejectedReason: String?
        var body: String?
    }

    struct Model {
        var rows: [Row]
        var canManage: Bool
        var notice: String?
        var error: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.templatesTitle), chrome,
            .h1(.text(t(.templatesTitle))),
            .p(.class("lead"), .text(t(.templatesIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .if(model.canManage, .form(
                .method(.post), .action(SiteURL.templatesSync.path), Forms.csrf(chrome.csrfToken),
                .button(.type(.submit), .class("button-secondary"), .text(t(.templatesSync)))
            )),
            .if(model.rows.isEmpty, .p(.class("muted"), .text(t(.templatesNone))), else: .div(.class("table-wrap"), .table(
                .class("data-table"),
                .thead(.tr(
                    .th(.text(t(.templatesName))), .th(.text(t(.templatesLanguage))), .th(.text(t(.templatesCategory))),
                    .th(.text(t(.templatesStatus))), .th(.text(t(.templatesQuality))), .th(.text(t(.templatesBody))), .th(.text(t(.membersActions)))
                )),
                .tbody(.forEach(model.rows) { row in
                    .tr(
                        .data(named: "template-id", value: row.id.uuidString),
                        .td(.text(row.name)), .td(.text(row.language)), .td(.text(row.category)),
                        .td(.span(.class(row.status == "APPROVED" ? "badge" : "badge badge-muted"), .text(row.status)),
                            .unwrap(row.rejectedReason) { .p(.class("muted"), .text($0)) }),
                        .td(.text(row.quality ?? "")),
                        .td(.text(row.body ?? "")),
                        .td(.if(model.canManage, .form(
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
                .div(.class("field"),
                     .label(.for("category"), .text(t(.templatesCategory))),
                     Forms.select(id: "category", name: "category", options: [("UTILITY", "UTILITY"), ("MARKETING", "MARKETING"), ("AUTHENTICATION", "AUTHENTICATION")], selected: "UTILITY")),
                Forms.field(label: t(.templatesCreateHeader), name: "headerText", type: .text, autocomplete: "off", required: false),
                .div(.class("field"), .label(.for("body"), .text(t(.templatesBody))), .textarea(.id("body"), .name("body"), .required(true))),
                .div(.class("field"), .label(.for("examples"), .text(t(.templatesCreateExamples))), .textarea(.id("examples"), .name("examples"))),
                Forms.field(label: t(.templatesCreateFooter), name: "footer", type: .text, autocomplete: "off", required: false),
                .div(.class("field"), .label(.for("quickReplies"), .text(t(.templatesCreateQuickReplies))), .textarea(.id("quickReplies"), .name("quickReplies"))),
                .button(.type(.submit), .class("button-primary"), .text(t(.templatesCreateSubmit)))
            )
        )
    }
}
