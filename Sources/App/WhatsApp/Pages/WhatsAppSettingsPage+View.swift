import ADSappCore
import Foundation
import SafeHTML

extension WhatsAppSettingsPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.whatsappTitle), chrome,
            .h1(.text(t(.whatsappTitle))),
            .p(.class("lead"), .text(t(.whatsappIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .if(
                model.rows.isEmpty, .p(.class("muted"), .text(t(.whatsappNone))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"),
                        .thead(
                            .tr(
                                .th(.text(t(.whatsappNumber))), .th(.text(t(.whatsappName))), .th(.text(t(.whatsappQuality))),
                                .th(.text(t(.whatsappState))), .th(.text(t(.whatsappWebhookURL))), .th(.text(t(.membersActions)))
                            )),
                        .tbody(
                            .forEach(model.rows) { row in
                                .tr(
                                    .data(named: "connection-id", value: row.id.uuidString),
                                    .td(.text(row.displayPhoneNumber), .br(), .span(.class("muted"), .text(row.phoneNumberID))),
                                    .td(.text(row.verifiedName ?? "")),
                                    .td(.text(row.quality ?? "")),
                                    .td(
                                        .span(
                                            .class(row.isBroken ? "badge badge-danger" : "badge"),
                                            .text(row.isBroken ? t(.whatsappStateBroken) : t(.whatsappStateActive))),
                                        .unwrap(row.stateDetail) { .p(.class("muted"), .text($0)) }
                                    ),
                                    .td(
                                        .code(.text(row.webhookURL)),
                                        .unwrap(row.ownVerifyToken) { token in
                                            .p(.class("muted"), .text(t(.whatsappSetupVerifyToken) + ": "), .code(.text(token)))
                                        }),
                                    .td(
                                        .if(
                                            model.canManage,
                                            .form(
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
                Forms.field(
                    label: t(.whatsappConnectPhoneNumberID), name: "phone_number_id", type: .text, value: model.form.phoneNumberID, autocomplete: "off"),
                Forms.field(
                    label: t(.whatsappConnectBusinessAccountID), name: "business_account_id", type: .text, value: model.form.businessAccountID,
                    autocomplete: "off"),
                Forms.field(label: t(.whatsappConnectAccessToken), name: "access_token", type: .password, autocomplete: "off"),
                Forms.field(label: t(.whatsappConnectAppSecret), name: "app_secret", type: .password, autocomplete: "off", required: false),
                Forms.field(label: t(.whatsappConnectVerifyToken), name: "verify_token", type: .text, autocomplete: "off", required: false),
                Forms.field(
                    label: t(.whatsappConnectSendsPerSecond), name: "sends_per_second", type: .number,
                    value: model.form.sendsPerSecond.map(String.init) ?? "80", autocomplete: "off"),
                .button(.type(.submit), .class("button-primary"), .text(t(.whatsappConnectSubmit)))
            )
        )
    }
}
