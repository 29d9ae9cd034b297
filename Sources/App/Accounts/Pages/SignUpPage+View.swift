import ADSappCore
import SafeHTML

extension SignUpPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.signupTitle), chrome,
            .div(
                .class("auth-card"),
                .h1(.text(t(.signupTitle))),
                .p(.class("lead"), .text(t(.signupIntro))),
                Forms.alert(model.formError ?? (model.errors.isEmpty ? nil : t(.errorFormSummary))),
                .form(
                    .id("signup-form"), .method(.post), .action(SiteURL.signUp.path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    Forms.field(label: t(.fieldName), name: "name", type: .text, value: model.name, autocomplete: "name", error: model.errors["name"]),
                    Forms.field(
                        label: t(.fieldOrganization), name: "organization", type: .text, value: model.organization, autocomplete: "organization",
                        error: model.errors["organization"]),
                    Forms.field(label: t(.fieldEmail), name: "email", type: .email, value: model.email, autocomplete: "email", error: model.errors["email"]),
                    Forms.field(
                        label: t(.fieldPassword), name: "password", type: .password, autocomplete: "new-password",
                        error: model.errors["password"], hint: t(.fieldPasswordHint, ["min": String(PasswordPolicy.minimumLength)])),
                    .button(.type(.submit), .class("button-primary"), .text(t(.signupSubmit)))
                ),
                .p(.text(t(.signupHaveAccount) + " "), .a(.href(SiteURL.signIn.path), .text(t(.signupSigninLink))))
            ))
    }
}
