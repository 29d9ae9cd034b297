import ADSappCore
import Foundation
import SafeHTML

/// A choice in a select: an id and what people read.
struct Choice: Equatable {
    var value: String
    var label: String
}

/// Small pieces the inbox pages share.
enum InboxParts {
    /// "3 min", "2 h", "4 d": how long a customer has waited.
    static func age(since start: Date, now: Date, _ t: Localizer) -> String {
        let minutes = max(0, Int(now.timeIntervalSince(start) / 60))
        if minutes < 60 { return t(.inboxAgeMinutes, ["count": String(minutes)]) }
        if minutes < 48 * 60 { return t(.inboxAgeHours, ["count": String(minutes / 60)]) }
        return t(.inboxAgeDays, ["count": String(minutes / 1440)])
    }

    static func statusName(_ status: Conversation.Status, _ t: Localizer) -> String {
        switch status {
        case .open: t(.inboxStateOpen)
        case .pending: t(.inboxStatePending)
        case .snoozed: t(.inboxStateSnoozed)
        case .resolved: t(.inboxStateResolved)
        }
    }

    /// What the live script needs: where to listen, from which cursor, and what this page shows.
    static func live(page: String, cursor: Int64, conversationID: UUID? = nil, _ chrome: Chrome) -> Node {
        let t = chrome.t
        return .group(
            .div(
                .id("live"), .data(named: "url", value: SiteURL.inboxLive.path), .data(named: "cursor", value: String(cursor)),
                .data(named: "me", value: chrome.account?.name ?? ""),
                .data(named: "page", value: page), .unwrap(conversationID) { .data(named: "conversation", value: $0.uuidString) },
                .data(named: "conversation-base", value: SiteURL.inbox.path + "/"),
                .data(named: "rows-url", value: SiteURL.inboxRows.path),
                .data(named: "label-offline", value: t(.inboxLiveOffline)), .data(named: "label-mention", value: t(.inboxLiveMention)),
                .data(named: "label-viewing", value: t(.inboxLiveViewing)),
                .attribute(named: "role", value: "status"), .attribute(named: "aria-live", value: "polite"), .class("live-status")),
            shortcutsHelp(t),
            .script(.attribute(named: "type", value: "module"), .src(SiteURL.inboxScript.path))
        )
    }

    /// The keyboard shortcuts, listed in a dialog that `?` opens.
    static func shortcutsHelp(_ t: Localizer) -> Node {
        let rows: [(String, TextKey)] = [
            ("j / k", .inboxKeysNext), ("Enter", .inboxKeysOpen), ("g i", .inboxKeysInbox), ("a", .inboxKeysAssign),
            ("e", .inboxKeysResolve), ("r", .inboxKeysCompose), ("n", .inboxKeysNote), ("/", .inboxKeysCanned),
            ("x", .inboxKeysSelect), ("?", .inboxKeysHelp),
        ]
        return .element(
            named: "dialog",
            nodes: [
                .id("shortcuts"), .attribute(named: "aria-labelledby", value: "shortcuts-title"),
                .h2(.id("shortcuts-title"), .text(t(.inboxKeysTitle))),
                .table(
                    .class("data-table"),
                    .tbody(
                        .forEach(rows) { keys, key in
                            .tr(.td(.element(named: "kbd", text: keys)), .td(.text(t(key))))
                        })),
                .form(.attribute(named: "method", value: "dialog"), .button(.type(.submit), .class("button-secondary"), .text(t(.inboxKeysClose)))),
            ])
    }
}
