import ADSappCore
import SafeHTML

extension SecuritySettingsPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.securityTitle), chrome,
            .h1(.text(t(.securityTitle))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .section(
                .class("panel"),
                .h2(.id("security-two-factor-heading"), .text(t(.securityTwofactorTitle))),
                .p(.text(t(.securityTwofactorAbout))),
                .p(.data(named: "testid", value: "members-without-two-factor"), .text(t(.securityMembersWithout, ["count": String(model.membersWithout)]))),
                .form(
                    .id("security-form"), .method(.post), .action(SiteURL.securitySettings.path),
                    Forms.csrf(chrome.csrfToken),
                    .div(
                        .class("field field-checkbox"),
                        .input(
                            .type(.checkbox), .id("require_two_factor"), .name("require_two_factor"), .value("1"), .checked(model.required),
                            .disabled(!model.canManage)),
                        .label(.for("require_two_factor"), .text(t(.securityTwofactorRequire, ["organization": model.organizationName])))
                    ),
                    .if(model.canManage, .button(.type(.submit), .class("button-primary"), .text(t(.securitySave))))
                )
            )
        )
    }
}
