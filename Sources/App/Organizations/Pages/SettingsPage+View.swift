import ADSappCore
import Foundation
import SafeHTML

enum SettingsPage {
    /// `showsBilling`: the billing link, for the owners who may open it; `showsAI`: the AI settings,
    /// for those who manage the organization's settings.
    static func html(_ chrome: Chrome, showsBilling: Bool = false, showsAI: Bool = false) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.settingsTitle), chrome,
            .h1(.text(t(.settingsTitle))),
            .ul(
                .class("link-list"),
                .li(.a(.href(SiteURL.members.path), .text(t(.settingsMembers)))),
                .li(.a(.href(SiteURL.whatsAppSettings.path), .text(t(.settingsWhatsapp)))),
                .li(.a(.href(SiteURL.inboxSettings.path), .text(t(.settingsInbox)))),
                .li(.a(.href(SiteURL.contactSettings.path), .text(t(.contactSettingsTitle)))),
                .li(.a(.href(SiteURL.securitySettings.path), .text(t(.settingsSecurity)))),
                .li(.a(.href(SiteURL.notificationSettings.path), .text(t(.notificationsLink)))),
                .if(showsAI, .li(.a(.href(SiteURL.aiSettings.path), .text(t(.aiSettingsTitle))))),
                .if(showsBilling, .li(.a(.href(SiteURL.billing.path), .text(t(.billingTitle))))),
                .li(.a(.href(SiteURL.account.path), .text(t(.settingsAccount)))))
        )
    }
}
