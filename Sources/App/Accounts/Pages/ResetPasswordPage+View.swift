import ADSappCore
import SafeHTML

extension ResetPasswordPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.resetTitle), chrome,
            .div(
                .class("auth-card"),
                .h1(.text(t(.resetTitle))),
                .p(.class("lead"), .text(t(.resetIntro))),
                Forms.alert(model.error == nil ? nil : t(.errorFormSummary)),
                .form(
                    .id("reset-form"), .method(.post), .action(SiteURL.passwordReset.path(token: model.token)), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    Forms.field(
                        label: t(.fieldNewPassword), name: "password", type: .password, autocomplete: "new-password", error: model.error,
                        hint: t(.fieldPasswordHint, ["min": String(PasswordPolicy.minimumLength)])),
                    .button(.type(.submit), .class("button-primary"), .text(t(.resetSubmit)))
                )
            ))
    }
}
