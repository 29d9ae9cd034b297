import ADSappCore
import Foundation
import SafeHTML

extension ConversationListPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            t(.inboxTitle), chrome,
            .div(
                .class("page-head"),
                .h1(.text(t(.inboxTitle))),
                .if(model.canWork, availabilityForm(model, chrome)),
                .button(.type(.button), .class("button-link"), .data(named: "open-shortcuts", value: ""), .text(t(.inboxKeysButton)))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .form(
                .method(.get), .action(SiteURL.inbox.path), .class("search"), .attribute(named: "role", value: "search"),
                .label(.for("inbox-search"), .text(t(.inboxSearchLabel))),
                .input(
                    .type(.search), .id("inbox-search"), .name("q"), .value(model.search?.query ?? ""),
                    .attribute(named: "maxlength", value: String(SearchController.maxQueryLength)),
                    .data(named: "testid", value: "search-input")),
                .button(.type(.submit), .text(t(.inboxSearchSubmit)))
            ),
            .if(!model.mentions.isEmpty, mentions(model.mentions, t)),
            .unwrap(model.search, { results($0, t) }, else: .group(filters(model, t), list(model, chrome))),
            InboxParts.live(page: "list", cursor: model.liveCursor, chrome)
        )
    }

    /// The inbox address of a filter (and a page of it).
    static func link(_ filter: ConversationList.Filter, cursor: String? = nil) -> String {
        var items = ["status=\(filter.status.rawValue)", "assignee=\(filter.assignee.rawValue)"]
        if let team = filter.teamID { items.append("team=\(team)") }
        if let tag = filter.tagID { items.append("tag=\(tag)") }
        if let number = filter.connectionID { items.append("connection=\(number)") }
        if let sentiment = filter.sentiment { items.append("sentiment=\(sentiment.rawValue)") }
        if let cursor { items.append("cursor=\(cursor)") }
        return SiteURL.inbox.path + "?" + items.joined(separator: "&")
    }

    private static func mentions(_ mentions: [MentionRow], _ t: Localizer) -> Node {
        .section(
            .class("panel mentions"), .data(named: "testid", value: "mentions"),
            .h2(.text(t(.inboxMentionsTitle, ["count": String(mentions.count)]))),
            .ul(
                .forEach(mentions) { mention in
                    .li(
                        .a(
                            .href(SiteURL.conversation(.value(mention.conversationID)).path),
                            .text(t(.inboxMentionsRow, ["name": mention.by, "contact": mention.contactName]))),
                        .span(.class("muted"), .text(" · " + t.dateTime(mention.at))))
                })
        )
    }

    private static func availabilityForm(_ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        return .form(
            .method(.post), .action(SiteURL.inboxAvailability.path), .class("inline-form availability"),
            Forms.csrf(chrome.csrfToken),
            .input(.type(.hidden), .name("available"), .value(model.isAvailable ? "false" : "true")),
            .span(
                .class(model.isAvailable ? "badge" : "badge badge-muted"), .data(named: "testid", value: "availability"),
                .text(model.isAvailable ? t(.inboxAvailable) : t(.inboxAway))),
            .button(.type(.submit), .class("button-secondary"), .text(model.isAvailable ? t(.inboxGoAway) : t(.inboxComeBack)))
        )
    }

    /// What the live list patches in: the tab counts and the rows of the changed conversations the
    /// filter still shows, in list order (`GET /inbox/rows`). The page's script replaces the tabs,
    /// drops the changed rows it has and puts these in their place.
    static func changedRows(_ model: Model, _ t: Localizer) -> Node {
        .group(tabs(model, t), .ul(.id("changed-rows"), .forEach(model.rows) { row(for: $0, model, t) }))
    }

    private static func filters(_ model: Model, _ t: Localizer) -> Node {
        .group(
            tabs(model, t),
            .form(
                .method(.get), .action(SiteURL.inbox.path), .class("filter-form"),
                .input(.type(.hidden), .name("status"), .value(model.filter.status.rawValue)),
                .input(.type(.hidden), .name("assignee"), .value(model.filter.assignee.rawValue)),
                filterSelect("filter-team", "team", t(.inboxFilterTeam), model.teams, model.filter.teamID, t),
                filterSelect("filter-tag", "tag", t(.inboxFilterTag), model.tags, model.filter.tagID, t),
                filterSelect("filter-number", "connection", t(.inboxFilterNumber), model.numbers, model.filter.connectionID, t),
                .if(
                    model.filtersBySentiment,
                    .div(
                        .class("field"),
                        .label(.for("filter-sentiment"), .text(t(.aiSentimentFilter))),
                        Forms.select(
                            id: "filter-sentiment", name: "sentiment",
                            options: [("", t(.inboxFilterAny))] + Sentiment.allCases.map { ($0.rawValue, t($0.name)) },
                            selected: model.filter.sentiment?.rawValue ?? ""))),
                .button(.type(.submit), .class("button-secondary"), .text(t(.inboxFilterApply)))
            )
        )
    }

    /// The status and assignee tabs with their counts.
    private static func tabs(_ model: Model, _ t: Localizer) -> Node {
        func tab(_ label: String, _ count: ConversationList.Counts.Count?, _ target: ConversationList.Filter, current: Bool) -> Node {
            .li(
                .a(
                    .href(link(target)), .class(current ? "tab current" : "tab"),
                    .attribute(named: "aria-current", value: current ? "page" : nil),
                    .text(label + " "), .span(.class("count"), .text(String(count?.total ?? 0))),
                    .if(
                        (count?.unread ?? 0) > 0,
                        .span(.class("badge"), .attribute(named: "title", value: t(.inboxUnreadTitle)), .text(String(count?.unread ?? 0))))
                ))
        }
        let assigneeLabels: [(ConversationList.Filter.Assignee, TextKey)] = [
            (.all, .inboxFilterAll), (.mine, .inboxFilterMine), (.unassigned, .inboxFilterUnassigned),
        ]
        return .group(
            .nav(
                .id("status-tabs"), .class("tabs"), .attribute(named: "aria-label", value: t(.inboxFilterStatus)),
                .ul(
                    .forEach(Conversation.Status.allCases) { status in
                        var target = model.filter
                        target.status = status
                        return tab(InboxParts.statusName(status, t), model.counts.byStatus[status], target, current: status == model.filter.status)
                    })),
            .nav(
                .id("assignee-tabs"), .class("tabs"), .attribute(named: "aria-label", value: t(.inboxFilterAssignee)),
                .ul(
                    .forEach(assigneeLabels) { assignee, key in
                        var target = model.filter
                        target.assignee = assignee
                        return tab(t(key), model.counts.byAssignee[assignee], target, current: assignee == model.filter.assignee)
                    }))
        )
    }

    private static func filterSelect(_ id: String, _ name: String, _ label: String, _ choices: [Choice], _ selected: UUID?, _ t: Localizer) -> Node {
        .div(
            .class("field"),
            .label(.for(id), .text(label)),
            Forms.select(id: id, name: name, options: [("", t(.inboxFilterAny))] + choices.map { ($0.value, $0.label) }, selected: selected?.uuidString ?? ""))
    }

    private static func list(_ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        guard !model.rows.isEmpty else { return .div(.id("conversation-list"), .p(.class("muted"), .text(t(.inboxEmpty)))) }
        var bulk: [(value: String, label: String)] = [
            ("assign:me", t(.inboxBulkAssignMe)), ("unassign", t(.inboxWorkUnassign)),
            ("resolve", t(.inboxWorkResolve)), ("pending", t(.inboxWorkPending)), ("open", t(.inboxWorkReopen)),
        ]
        bulk += model.members.map { ("assign:\($0.value)", t(.inboxBulkAssignTo, ["name": $0.label])) }
        bulk += model.tags.map { ("tag:\($0.value)", t(.inboxBulkTag, ["tag": $0.label])) }
        bulk += model.teams.map { ("team:\($0.value)", t(.inboxBulkTeam, ["team": $0.label])) }
        return .div(
            .id("conversation-list"),
            .form(
                .id("bulk-form"), .method(.post), .action(SiteURL.inboxBulk.path),
                Forms.csrf(chrome.csrfToken),
                .input(.type(.hidden), .name("return_to"), .value(link(model.filter))),
                .if(
                    model.canWork,
                    .div(
                        .class("bulk-bar"),
                        .label(.for("bulk-action"), .text(t(.inboxBulkLabel))),
                        Forms.select(id: "bulk-action", name: "bulk", options: bulk, selected: nil),
                        .button(.type(.submit), .class("button-secondary"), .text(t(.inboxBulkApply))))),
                .ul(
                    .class("conversation-list"), .data(named: "testid", value: "conversation-list"),
                    .forEach(model.rows) { row(for: $0, model, t) }
                )
            ),
            .unwrap(model.nextCursor) { cursor in
                .p(.a(.href(link(model.filter, cursor: cursor)), .attribute(named: "rel", value: "next"), .text(t(.inboxNextPage))))
            }
        )
    }

    private static func row(for row: Row, _ model: Model, _ t: Localizer) -> Node {
        .li(
            .class(row.unread > 0 ? "conversation unread" : "conversation"),
            .data(named: "conversation-id", value: row.id.uuidString),
            // The list's order, for the live script to put a changed row in its place.
            .data(named: "at", value: String(Int64((row.at.timeIntervalSince1970 * 1000).rounded()))),
            .if(
                model.canWork,
                .input(
                    .type(.checkbox), .name("ids"), .value(row.id.uuidString), .class("select-row"),
                    .attribute(named: "aria-label", value: t(.inboxSelect, ["name": row.name])))),
            .a(
                .href(SiteURL.conversation(.value(row.id)).path),
                .strong(.text(row.name)),
                .span(.class("muted"), .text(" · " + t.dateTime(row.at))),
                .if(row.unread > 0, .span(.class("badge"), .text(t(.inboxUnread, ["count": String(row.unread)])))),
                .if(row.status != .open, .span(.class("badge badge-muted"), .text(InboxParts.statusName(row.status, t)))),
                .p(.class("preview"), .text(row.preview)),
                .p(
                    .class("row-meta"),
                    .span(
                        .class(row.windowIsOpen ? "window window-open" : "window window-closed"),
                        .text(row.windowIsOpen ? t(.inboxRowWindowOpen) : t(.inboxRowWindowClosed))),
                    .unwrap(row.waitingSince) {
                        .span(.class("sla"), .text(" · " + t(.inboxRowWaiting, ["age": InboxParts.age(since: $0, now: model.now, t)])))
                    },
                    .text(" · " + (row.assignee.map { t(.inboxRowAssignee, ["name": $0]) } ?? t(.inboxRowUnassigned))),
                    .unwrap(row.team) { .text(" · " + $0) },
                    .forEach(row.tags) { .span(.class("tag"), .text($0)) }))
        )
    }

    private static func results(_ search: Search, _ t: Localizer) -> Node {
        .group(
            .h2(.text(t(.inboxSearchResults, ["query": search.query]))),
            .p(.a(.href(SiteURL.inbox.path), .text(t(.inboxSearchClear)))),
            .unwrap(
                search.problem, { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                else: .if(
                    search.hits.isEmpty,
                    .p(.class("muted"), .text(t(.inboxSearchNone, ["query": search.query]))),
                    else: .ul(
                        .class("conversation-list search-results"), .data(named: "testid", value: "search-results"),
                        .forEach(search.hits) { hit in
                            .li(
                                .class("conversation"),
                                .a(
                                    .href(SiteURL.conversation(.value(hit.conversationID)).path),
                                    .strong(.text(hit.contactName)),
                                    .unwrap(hit.phone) { .span(.class("muted"), .text(" " + $0)) },
                                    .span(
                                        .class("muted"),
                                        .text(" · " + t(hit.kind == .contact ? .inboxSearchContact : .inboxSearchMessage) + " · " + t.dateTime(hit.at))),
                                    .p(
                                        .class("preview"),
                                        .forEach(hit.snippet) { fragment in
                                            fragment.match ? .element(named: "mark", nodes: [.text(fragment.text)]) : .text(fragment.text)
                                        }))
                            )
                        }
                    )
                ))
        )
    }
}
