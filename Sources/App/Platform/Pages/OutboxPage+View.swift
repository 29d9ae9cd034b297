import Foundation
import SafeHTML

extension OutboxPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.outboxTitle), chrome,
            .h1(.text(t(.outboxTitle))),
            .p(.text(t(.outboxIntro, ["provider": model.provider]))),
            .if(
                model.rows.isEmpty, .p(.class("muted"), .text(t(.outboxEmpty))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"), .data(named: "testid", value: "outbox"),
                        .thead(.tr(.th(.text(t(.outboxSent))), .th(.text(t(.outboxTo))), .th(.text(t(.outboxSubject))), .th(.text(t(.outboxKind))))),
                        .tbody(
                            .forEach(model.rows) { row in
                                .tr(
                                    .td(.text(t.dateTime(row.createdAt))), .td(.text(row.to)),
                                    .td(.a(.href(SiteURL.adminOutboxEmail(.value(row.id)).path), .text(row.subject))), .td(.text(row.kind)))
                            })
                    ))),
            .nav(
                .attribute(named: "aria-label", value: t(.outboxPages)), .class("pager"),
                .if(model.page > 1, .a(.href(SiteURL.adminOutbox.path + "?page=\(model.page - 1)"), .text(t(.outboxNewer)))),
                .text(" "),
                .if(model.hasNext, .a(.href(SiteURL.adminOutbox.path + "?page=\(model.page + 1)"), .text(t(.outboxOlder))))
            )
        )
    }
}

extension OutboxEmailPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            model.subject, chrome,
            .p(.a(.href(SiteURL.adminOutbox.path), .text(t(.outboxBack)))),
            .h1(.text(model.subject)),
            .section(
                .class("panel"), .h2(.text(t(.outboxHeaders))),
                .dl(
                    .data(named: "testid", value: "outbox-headers"),
                    .forEach(model.headers) { header in .group(.dt(.text(header.name)), .dd(.text(header.value))) })),
            .section(
                .class("panel"), .h2(.text(t(.outboxText))),
                .pre(.data(named: "testid", value: "outbox-text"), .text(model.text)),
                .if(
                    !model.links.isEmpty,
                    .group(
                        .h3(.text(t(.outboxLinks))),
                        // Written out, not linked: an operator should not follow someone's sign-in link by accident.
                        .ul(.forEach(model.links) { .li(.code(.text($0))) })))),
            .section(
                .class("panel"), .h2(.text(t(.outboxHTML))),
                .p(.class("muted"), .text(t(.outboxHTMLNote))),
                // `sandbox` with no permissions: no scripts, no forms, no same origin. The part is also
                // served with `Content-Security-Policy: sandbox`, so opening it alone is as safe.
                .element(
                    named: "iframe",
                    nodes: [
                        .src(model.htmlURL), .attribute(named: "sandbox"), .attribute(named: "title", value: t(.outboxHTML)),
                        .attribute(named: "referrerpolicy", value: "no-referrer"), .class("outbox-frame"),
                        .attribute(named: "width", value: "100%"), .attribute(named: "height", value: "600"),
                    ]),
                .p(.a(.href(model.htmlURL), .text(t(.outboxOpenHTML))))
            )
        )
    }
}
