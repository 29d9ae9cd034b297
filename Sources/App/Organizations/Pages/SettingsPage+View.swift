import ADSappCore
import Foundation
import SafeHTML

enum SettingsPage {
    static func html(_ chrome: Chrome) -> HTML {
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
                .li(.a(.href(SiteURL.account.path), .text(t(.settingsAccount)))))
        )
    }
}
