import ADSappCore
import SafeHTML

extension TwoFactorSignInPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.twofactorSigninTitle), chrome,
            .div(
                .class("auth-card"),
                .h1(.text(t(.twofactorSigninTitle))),
                Forms.alert(model.error),
                .p(.text(t(.twofactorSigninIntro))),
                .form(
                    .id("two-factor-signin-form"), .method(.post), .action(SiteURL.signInTwoFactor.path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    Forms.field(
                        label: t(.fieldCode), name: "code", type: .text, autocomplete: "one-time-code", hint: t(.twofactorCodeHint)),
                    .div(
                        .class("field field-checkbox"),
                        .input(.type(.checkbox), .id("remember"), .name("remember"), .value("1"), .checked(model.remember)),
                        .label(.for("remember"), .text(t(.twofactorSigninRemember)))
                    ),
                    .button(.type(.submit), .class("button-primary"), .text(t(.twofactorSigninSubmit)))
                ),
                .p(.a(.href(SiteURL.signIn.path), .data(named: "testid", value: "two-factor-restart"), .text(t(.twofactorSigninRestart))))
            ))
    }
}
