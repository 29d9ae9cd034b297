import ADSappCore
import Foundation
import SafeHTML

enum NoOrganizationPage {
    static func html(_ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.orgNoneTitle), chrome,
            .div(
                .class("auth-card"),
                .h1(.text(t(.orgNoneTitle))),
                .p(.text(t(.orgNoneBody))),
                .a(.class("button-primary"), .href(SiteURL.newOrganization.path), .text(t(.orgNewLink)))
            ))
    }
}
