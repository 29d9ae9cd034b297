import ADSappCore
import SafeHTML

/// The sign-in form.
enum SignInPage {
    struct Model {
        var email = ""
        var next: String?
        var error: String?
        var notice: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.signinTitle), chrome, .div(
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
            .p(.text(t(.signinNoAccount) + " "),
               .a(.href(SiteURL.signUp.path), .data(named: "testid", value: "signup-link"), .text(t(.signinSignupLink))))
        ))
    }
}

/// The sign-up form: a person, their password and their first organization.
enum SignUpPage {
    struct Model {
        var name = ""
        var organization = ""
        var email = ""
        var errors: [String: String] = [:]
        var formError: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.signupTitle), chrome, .div(
            .class("auth-card"),
            .h1(.text(t(.signupTitle))),
            .p(.class("lead"), .text(t(.signupIntro))),
            Forms.alert(model.formError ?? (model.errors.isEmpty ? nil : t(.errorFormSummary))),
            .form(
                .id("signup-form"), .method(.post), .action(SiteURL.signUp.path), .attribute(named: "novalidate"),
                Forms.csrf(chrome.csrfToken),
                Forms.field(label: t(.fieldName), name: "name", type: .text, value: model.name, autocomplete: "name", error: model.errors["name"]),
                Forms.field(label: t(.fieldOrganization), name: "organization", type: .text, value: model.organization, autocomplete: "organization", error: model.errors["organization"]),
                Forms.field(label: t(.fieldEmail), name: "email", type: .email, value: model.email, autocomplete: "email", error: model.errors["email"]),
                Forms.field(label: t(.fieldPassword), name: "password", type: .password, autocomplete: "new-password",
                            error: model.errors["password"], hint: t(.fieldPasswordHint, ["min": String(PasswordPolicy.minimumLength)])),
                .button(.type(.submit), .class("button-primary"), .text(t(.signupSubmit)))
            ),
            .p(.text(t(.signupHaveAccount) + " "), .a(.href(SiteURL.signIn.path), .text(t(.signupSigninLink))))
        ))
    }
}

/// The person's own account: language preference, password, sessions.
enum AccountPage {
    struct Model {
        var name: String
        var email: String
        var languagePreference: ADSappCore.Language?
        var sessionCount: Int
        var notice: String?
        var passwordErrors: [String: String] = [:]
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let languageOptions = [("", t(.languageBrowser))] + ADSappCore.Language.allCases.map { ($0.rawValue, t($0 == .en ? .languageEn : .languageNl)) }
        return Layout.page(t(.accountTitle), chrome,
            .h1(.text(t(.accountTitle))),
            Forms.alert(model.notice, kind: "notice"),
            .section(
                .class("panel"),
                .h2(.text(t(.accountProfile))),
                .dl(.dt(.text(t(.fieldName))), .dd(.text(model.name)), .dt(.text(t(.fieldEmail))), .dd(.text(model.email)))
            ),
            .section(
                .class("panel"),
                .h2(.id("language-preference-heading"), .text(t(.accountLanguage))),
                .form(
                    .id("language-preference-form"), .method(.post), .action(SiteURL.accountLanguage.path),
                    Forms.csrf(chrome.csrfToken),
                    Forms.select(id: "language-preference", name: "language", options: languageOptions,
                                 selected: model.languagePreference?.rawValue ?? "", labelledBy: "language-preference-heading"),
                    .button(.type(.submit), .class("button-secondary"), .text(t(.accountLanguageSave)))
                )
            ),
            .section(
                .class("panel"),
                .h2(.text(t(.accountPasswordTitle))),
                Forms.alert(model.passwordErrors.isEmpty ? nil : t(.errorFormSummary)),
                .form(
                    .id("password-form"), .method(.post), .action(SiteURL.accountPassword.path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    .input(.type(.hidden), .name("username"), .value(model.email), .attribute(named: "autocomplete", value: "username")),
                    Forms.field(label: t(.fieldCurrentPassword), name: "current_password", type: .password, autocomplete: "current-password", error: model.passwordErrors["current_password"]),
                    Forms.field(label: t(.fieldNewPassword), name: "new_password", type: .password, autocomplete: "new-password",
                                error: model.passwordErrors["new_password"], hint: t(.fieldPasswordHint, ["min": String(PasswordPolicy.minimumLength)])),
                    .button(.type(.submit), .class("button-primary"), .text(t(.accountPasswordSubmit)))
                )
            ),
            .section(
                .class("panel"),
                .h2(.text(t(.accountSessionsTitle))),
                .p(.text(t(.accountSessionsBody, ["count": String(model.sessionCount)]))),
                .form(
                    .id("signout-everywhere-form"), .method(.post), .action(SiteURL.signOutEverywhere.path),
                    Forms.csrf(chrome.csrfToken),
                    .button(.type(.submit), .class("button-danger"), .text(t(.accountSessionsSignoutEverywhere)))
                )
            )
        )
    }
}
