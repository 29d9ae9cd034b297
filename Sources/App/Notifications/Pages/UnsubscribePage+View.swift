import Foundation
import SafeHTML

extension UnsubscribePage {
    static func kindText(_ kind: NotificationKind, _ t: Localizer) -> String {
        switch kind {
        case .mention: t(.notificationsMention)
        case .assignment: t(.notificationsAssignment)
        case .digest: t(.notificationsDigest)
        }
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let what = model.kind.map { kindText($0, t) } ?? ""
        let organization = model.organizationName ?? ""
        return Layout.page(
            t(.unsubscribeTitle), chrome,
            .h1(.text(t(.unsubscribeTitle))),
            .section(
                .class("panel"), .data(named: "testid", value: "unsubscribe"),
                {
                    switch model.state {
                    case .confirm(let action):
                        return .group(
                            .p(.text(t(.unsubscribeConfirm, ["kind": what, "organization": organization]))),
                            .form(
                                .method(.post), .action(action),
                                // The link's token is the proof; a CSRF token would not survive a mail client's one-click POST.
                                .button(.type(.submit), .text(t(.unsubscribeSubmit)))
                            )
                        )
                    case .done:
                        return .p(.attribute(named: "role", value: "status"), .text(t(.unsubscribeDone, ["kind": what, "organization": organization])))
                    case .invalid:
                        return .p(.text(t(.unsubscribeInvalid)))
                    }
                }(),
                .p(.class("muted"), .a(.href(SiteURL.notificationSettings.path), .text(t(.unsubscribeSettingsLink))))
            )
        )
    }
}
