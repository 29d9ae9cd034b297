import ADSappCore
import SafeHTML

extension InvitationPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let here = SiteURL.invitation.path(token: model.token)
        return Layout.page(
            t(.invitationTitle, ["organization": model.organizationName]), chrome,
            .div(
                .class("auth-card"), .id("invitation"),
                .h1(.text(t(.invitationTitle, ["organization": model.organizationName]))),
                .p(
                    .class("lead"), .data(named: "testid", value: "invitation-summary"),
                    .text(t(.invitationSummary, ["inviter": model.inviterName, "organization": model.organizationName, "role": t.role(model.role)]))),
                .p(.class("muted"), .text(t(.invitationFor, ["email": model.email, "date": t.dateTime(model.expiresAt)]))),
                Forms.alert(model.error ?? (model.errors.isEmpty ? nil : t(.errorFormSummary))),
                viewerPart(model, chrome, here: here)
            ))
    }

    private static func viewerPart(_ model: Model, _ chrome: Chrome, here: String) -> Node {
        let t = chrome.t
        switch model.viewer {
        case .invitee:
            return .form(
                .id("invitation-join-form"), .method(.post), .action(SiteURL.invitationJoin.path(token: model.token)),
                Forms.csrf(chrome.csrfToken),
                .button(.type(.submit), .class("button-primary"), .text(t(.invitationJoin, ["organization": model.organizationName]))))
        case .otherAccount:
            return .div(
                .div(
                    .class("alert alert-error"), .attribute(named: "role", value: "alert"), .data(named: "testid", value: "invitation-wrong-address"),
                    .text(t(.invitationSignedInAsOther, ["current": model.signedInEmail ?? "", "email": model.email]))),
                .form(
                    .method(.post), .action(SiteURL.signOut.path), Forms.csrf(chrome.csrfToken),
                    .button(.type(.submit), .class("button-secondary"), .text(t(.navSignout)))))
        case .anonymous:
            return .div(
                .h2(.text(t(.invitationNewHere))),
                .form(
                    .id("invitation-signup-form"), .method(.post), .action(SiteURL.invitationSignUp.path(token: model.token)),
                    .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    .input(.type(.hidden), .name("username"), .value(model.email), .attribute(named: "autocomplete", value: "username")),
                    .div(
                        .class("field"),
                        .label(.for("invitation-email"), .text(t(.fieldEmail))),
                        .input(.type(.email), .id("invitation-email"), .value(model.email), .attribute(named: "readonly"))),
                    Forms.field(label: t(.fieldName), name: "name", type: .text, value: model.name, autocomplete: "name", error: model.errors["name"]),
                    Forms.field(
                        label: t(.fieldPassword), name: "password", type: .password, autocomplete: "new-password", error: model.errors["password"],
                        hint: t(.fieldPasswordHint, ["min": String(PasswordPolicy.minimumLength)])),
                    .button(.type(.submit), .class("button-primary"), .text(t(.invitationSignUp)))
                ),
                .p(
                    .text(t(.invitationHaveAccount) + " "),
                    .a(
                        .href(SiteURL.signIn.path + "?next=" + here), .data(named: "testid", value: "invitation-signin-link"),
                        .text(t(.invitationSignIn)))))
        }
    }
}
