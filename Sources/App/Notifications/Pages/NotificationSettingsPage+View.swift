import Foundation
import SafeHTML

extension NotificationSettingsPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        func choice(_ name: String, _ label: String, _ hint: String, _ isOn: Bool) -> Node {
            .div(
                .class("check"),
                .input(
                    .type(.checkbox), .id("notify-\(name)"), .name(name), .checked(isOn), .attribute(named: "aria-describedby", value: "notify-\(name)-hint")),
                .label(.for("notify-\(name)"), .text(label)),
                .p(.id("notify-\(name)-hint"), .class("field-hint"), .text(hint))
            )
        }
        return Layout.page(
            t(.notificationsTitle), chrome,
            .h1(.text(t(.notificationsTitle))),
            Forms.alert(model.notice, kind: "notice"),
            .p(.text(t(.notificationsIntro, ["organization": model.organizationName, "email": model.email]))),
            .form(
                .method(.post), .action(SiteURL.notificationSettings.path), .class("panel"), .data(named: "testid", value: "notification-settings"),
                Forms.csrf(chrome.csrfToken),
                .fieldset(
                    .legend(.text(t(.notificationsLegend))),
                    choice("mention", t(.notificationsMention), t(.notificationsMentionHint), model.mention),
                    choice("assignment", t(.notificationsAssignment), t(.notificationsAssignmentHint), model.assignment),
                    choice("digest", t(.notificationsDigest), t(.notificationsDigestHint), model.digest)
                ),
                .button(.type(.submit), .text(t(.notificationsSave)))
            )
        )
    }
}
