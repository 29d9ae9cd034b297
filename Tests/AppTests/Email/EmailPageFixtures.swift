@testable import App
import Foundation

/// The models of the outbox, notification settings and unsubscribe pages, for `PageFixtures`.
enum EmailPageFixtures {
    static func outbox(_ s: (String) -> String) -> OutboxPage.Model {
        OutboxPage.Model(
            rows: [.init(id: PageFixtures.id("outbox 1"), kind: s("kind"), to: s("to"), subject: s("subject"), createdAt: PageFixtures.start)],
            page: 2, hasNext: true, provider: s("provider"))
    }

    static func outboxEmail(_ s: (String) -> String) -> OutboxEmailPage.Model {
        OutboxEmailPage.Model(
            id: PageFixtures.id("outbox 2"), kind: s("kind"), subject: s("subject"), createdAt: PageFixtures.start,
            headers: [(s("header name"), s("header value"))], text: s("text part"), links: [s("link")], htmlURL: s("html url"))
    }

    static func notificationSettings(_ s: (String) -> String) -> NotificationSettingsPage.Model {
        NotificationSettingsPage.Model(
            organizationName: s("organization"), email: s("email"), mention: true, assignment: false, digest: true, notice: s("notice"))
    }

    static func unsubscribe(_ s: (String) -> String) -> [(String, UnsubscribePage.Model)] {
        [
            ("confirm", .init(state: .confirm(action: s("action")), kind: .mention, organizationName: s("organization"))),
            ("done", .init(state: .done, kind: .digest, organizationName: s("organization"))),
            ("invalid", .init(state: .invalid)),
        ]
    }
}
