import SafeHTML

extension ForgotPasswordPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.resetForgotTitle), chrome,
            .div(
                .class("auth-card"),
                .h1(.text(t(.resetForgotTitle))),
                .p(.class("lead"), .text(t(.resetForgotIntro))),
                Forms.alert(model.notice, kind: "notice"),
                Forms.alert(model.formError),
                .form(
                    .id("forgot-form"), .method(.post), .action(SiteURL.passwordForgot.path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    Forms.field(label: t(.fieldEmail), name: "email", type: .email, value: model.email, autocomplete: "username", error: model.error),
                    .button(.type(.submit), .class("button-primary"), .text(t(.resetForgotSubmit)))
                ),
                .p(.a(.href(SiteURL.signIn.path), .text(t(.resetBackToSignin))))
            ))
    }
}
