import ADSappCore
import SafeHTML

extension AccountPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let languageOptions = [("", t(.languageBrowser))] + ADSappCore.Language.allCases.map { ($0.rawValue, t($0 == .en ? .languageEn : .languageNl)) }
        return Layout.page(
            t(.accountTitle), chrome,
            .h1(.text(t(.accountTitle))),
            Forms.alert(model.notice, kind: "notice"),
            .section(
                .class("panel"),
                .h2(.text(t(.accountProfile))),
                .dl(.dt(.text(t(.fieldName))), .dd(.text(model.name)), .dt(.text(t(.fieldEmail))), .dd(.text(model.email))),
                .if(
                    !model.emailVerified,
                    .form(
                        .id("verification-form"), .method(.post), .action(SiteURL.verificationResend.path), .data(named: "testid", value: "unverified"),
                        Forms.csrf(chrome.csrfToken),
                        .p(.class("alert alert-notice"), .text(t(.verifyUnverified))),
                        .button(.type(.submit), .class("button-secondary"), .text(t(.verifyResend)))))
            ),
            .section(
                .class("panel"),
                .h2(.id("language-preference-heading"), .text(t(.accountLanguage))),
                .form(
                    .id("language-preference-form"), .method(.post), .action(SiteURL.accountLanguage.path),
                    Forms.csrf(chrome.csrfToken),
                    Forms.select(
                        id: "language-preference", name: "language", options: languageOptions,
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
                    Forms.field(
                        label: t(.fieldCurrentPassword), name: "current_password", type: .password, autocomplete: "current-password",
                        error: model.passwordErrors["current_password"]),
                    Forms.field(
                        label: t(.fieldNewPassword), name: "new_password", type: .password, autocomplete: "new-password",
                        error: model.passwordErrors["new_password"], hint: t(.fieldPasswordHint, ["min": String(PasswordPolicy.minimumLength)])),
                    .button(.type(.submit), .class("button-primary"), .text(t(.accountPasswordSubmit)))
                )
            ),
            .section(
                .class("panel"),
                .h2(.text(t(.accountTwofactorTitle))),
                .p(.a(.href(SiteURL.twoFactor.path), .data(named: "testid", value: "two-factor-link"), .text(t(.accountTwofactorLink))))
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
