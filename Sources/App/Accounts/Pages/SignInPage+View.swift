import ADSappCore
import SafeHTML

extension SignInPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.signinTitle), chrome,
            .div(
                .class("auth-card"),
                .h1(.text(t(.signinTitle))),
                Forms.alert(model.notice, kind: "notice"),
                Forms.alert(model.error),
                .form(
                    .id("signin-form"), .method(.post), .action(SiteURL.signIn.path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    .unwrap(model.next) { .input(.type(.hidden), .name("next"), .value($0)) },
                    Forms.field(label: t(.fieldEmail), name: "email", type: .email, value: model.email, autocomplete: "username"),
                    Forms.field(label: t(.fieldPassword), name: "password", type: .password, autocomplete: "current-password"),
                    .button(.type(.submit), .class("button-primary"), .text(t(.signinSubmit)))
                ),
                .p(.a(.href(SiteURL.passwordForgot.path), .data(named: "testid", value: "forgot-password-link"), .text(t(.signinForgot)))),
                .p(
                    .text(t(.signinNoAccount) + " "),
                    .a(.href(SiteURL.signUp.path), .data(named: "testid", value: "signup-link"), .text(t(.signinSignupLink))))
            ))
    }
}
