import ADSappCore
import Foundation
import SafeHTML

extension NewOrganizationPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.orgNewTitle), chrome,
            .div(
                .class("auth-card"),
                .h1(.text(t(.orgNewTitle))),
                .p(.text(t(.orgNewIntro))),
                .form(
                    .id("new-organization-form"), .method(.post), .action(SiteURL.newOrganization.path), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    Forms.field(label: t(.fieldOrganization), name: "name", type: .text, value: model.name, autocomplete: "organization", error: model.error),
                    .button(.type(.submit), .class("button-primary"), .text(t(.orgNewSubmit)))
                )
            ))
    }
}
