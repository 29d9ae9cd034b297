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
            .div(.id("live"), .data(named: "url", value: SiteURL.inboxLive.path), .data(named: "cursor", value: String(cursor)),
                 .data(named: "me", value: chrome.account?.name ?? ""),
                 .data(named: "page", value: page), .unwrap(conversationID) { .data(named: "conversation", value: $0.uuidString) },
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
        return .element(named: "dialog", nodes: [
            .id("shortcuts"), .attribute(named: "aria-labelledby", value: "shortcuts-title"),
            .h2(.id("shortcuts-title"), .text(t(.inboxKeysTitle))),
            .table(.class("data-table"), .tbody(.forEach(rows) { keys, key in
                .tr(.td(.element(named: "kbd", text: keys)), .td(.text(t(key))))
            })),
            .form(.attribute(named: "method", value: "dialog"), .button(.type(.submit), .class("button-secondary"), .text(t(.inboxKeysClose)))),
        ])
    }
}

/// The conversation list: filter tabs with counts, the rows, bulk actions, search.
enum InboxPage {
    struct Row {
        var id: UUID
        var name: String
        var preview: String
        var at: Date
        var unread: Int
        var status: Conversation.Status
        var assignee: String?
        var team: String?
        var tags: [String]
        var windowIsOpen: Bool
        var waitingSince: Date?
    }

    /// A search and what it found; `problem` says why it could not run.
    struct Search {
        var query: String
        var hits: [InboxSearch.Hit]
        var problem: String?
    }

    /// A note that names the reader, not yet seen.
    struct MentionRow {
        var conversationID: UUID
        var contactName: String
        var by: String
        var at: Date
    }

    struct Model {
        var rows: [Row] = []
        var mentions: [MentionRow] = []
        var filter = ConversationList.Filter()
        var counts = ConversationList.Counts()
        var nextCursor: String?
        var teams: [Choice] = []
        var tags: [Choice] = []
        var numbers: [Choice] = []
        var members: [Choice] = []
        var search: Search?
        var isAvailable = true
        var canWork = false
        var liveCursor: Int64 = 0
        var notice: String?
        var error: String?
        var now: Date
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.inboxTitle), chrome,
            .div(.class("page-head"),
                 .h1(.text(t(.inboxTitle))),
                 .if(model.canWork, availabilityForm(model, chrome)),
                 .button(.type(.button), .class("button-link"), .data(named: "open-shortcuts", value: ""), .text(t(.inboxKeysButton)))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .form(
                .method(.get), .action(SiteURL.inbox.path), .class("search"), .attribute(named: "role", value: "search"),
                .label(.for("inbox-search"), .text(t(.inboxSearchLabel))),
                .input(.type(.search), .id("inbox-search"), .name("q"), .value(model.search?.query ?? ""),
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
        if let cursor { items.append("cursor=\(cursor)") }
        return SiteURL.inbox.path + "?" + items.joined(separator: "&")
    }

    private static func mentions(_ mentions: [MentionRow], _ t: Localizer) -> Node {
        .section(
            .class("panel mentions"), .data(named: "testid", value: "mentions"),
            .h2(.text(t(.inboxMentionsTitle, ["count": String(mentions.count)]))),
            .ul(.forEach(mentions) { mention in
                .li(.a(.href(SiteURL.conversation(.value(mention.conversationID)).path),
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
            .span(.class(model.isAvailable ? "badge" : "badge badge-muted"), .data(named: "testid", value: "availability"),
                  .text(model.isAvailable ? t(.inboxAvailable) : t(.inboxAway))),
            .button(.type(.submit), .class("button-secondary"), .text(model.isAvailable ? t(.inboxGoAway) : t(.inboxComeBack)))
        )
    }

    private static func filters(_ model: Model, _ t: Localizer) -> Node {
        func tab(_ label: String, _ count: ConversationList.Counts.Count?, _ target: ConversationList.Filter, current: Bool) -> Node {
            .li(.a(
                .href(link(target)), .class(current ? "tab current" : "tab"),
                .attribute(named: "aria-current", value: current ? "page" : nil),
                .text(label + " "), .span(.class("count"), .text(String(count?.total ?? 0))),
                .if((count?.unread ?? 0) > 0, .span(.class("badge"), .attribute(named: "title", value: t(.inboxUnreadTitle)), .text(String(count?.unread ?? 0))))
            ))
        }
        let assigneeLabels: [(ConversationList.Filter.Assignee, TextKey)] = [(.all, .inboxFilterAll), (.mine, .inboxFilterMine), (.unassigned, .inboxFilterUnassigned)]
        return .group(
            .nav(.id("status-tabs"), .class("tabs"), .attribute(named: "aria-label", value: t(.inboxFilterStatus)), .ul(.forEach(Conversation.Status.allCases) { status in
                var target = model.filter
                target.status = status
                return tab(InboxParts.statusName(status, t), model.counts.byStatus[status], target, current: status == model.filter.status)
            })),
            .nav(.id("assignee-tabs"), .class("tabs"), .attribute(named: "aria-label", value: t(.inboxFilterAssignee)), .ul(.forEach(assigneeLabels) { assignee, key in
                var target = model.filter
                target.assignee = assignee
                return tab(t(key), model.counts.byAssignee[assignee], target, current: assignee == model.filter.assignee)
            })),
            .form(
                .method(.get), .action(SiteURL.inbox.path), .class("filter-form"),
                .input(.type(.hidden), .name("status"), .value(model.filter.status.rawValue)),
                .input(.type(.hidden), .name("assignee"), .value(model.filter.assignee.rawValue)),
                filterSelect("filter-team", "team", t(.inboxFilterTeam), model.teams, model.filter.teamID, t),
                filterSelect("filter-tag", "tag", t(.inboxFilterTag), model.tags, model.filter.tagID, t),
                filterSelect("filter-number", "connection", t(.inboxFilterNumber), model.numbers, model.filter.connectionID, t),
                .button(.type(.submit), .class("button-secondary"), .text(t(.inboxFilterApply)))
            )
        )
    }

    private static func filterSelect(_ id: String, _ name: String, _ label: String, _ choices: [Choice], _ selected: UUID?, _ t: Localizer) -> Node {
        .div(.class("field"),
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
                .if(model.canWork, .div(.class("bulk-bar"),
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
            .if(model.canWork, .input(.type(.checkbox), .name("ids"), .value(row.id.uuidString), .class("select-row"),
                                      .attribute(named: "aria-label", value: t(.inboxSelect, ["name": row.name])))),
            .a(.href(SiteURL.conversation(.value(row.id)).path),
               .strong(.text(row.name)),
               .span(.class("muted"), .text(" · " + t.dateTime(row.at))),
               .if(row.unread > 0, .span(.class("badge"), .text(t(.inboxUnread, ["count": String(row.unread)])))),
               .if(row.status != .open, .span(.class("badge badge-muted"), .text(InboxParts.statusName(row.status, t)))),
               .p(.class("preview"), .text(row.preview)),
               .p(.class("row-meta"),
                  .span(.class(row.windowIsOpen ? "window window-open" : "window window-closed"),
                        .text(row.windowIsOpen ? t(.inboxRowWindowOpen) : t(.inboxRowWindowClosed))),
                  .unwrap(row.waitingSince) { .span(.class("sla"), .text(" · " + t(.inboxRowWaiting, ["age": InboxParts.age(since: $0, now: model.now, t)]))) },
                  .text(" · " + (row.assignee.map { t(.inboxRowAssignee, ["name": $0]) } ?? t(.inboxRowUnassigned))),
                  .unwrap(row.team) { .text(" · " + $0) },
                  .forEach(row.tags) { .span(.class("tag"), .text($0)) }))
        )
    }

    private static func results(_ search: Search, _ t: Localizer) -> Node {
        .group(
            .h2(.text(t(.inboxSearchResults, ["query": search.query]))),
            .p(.a(.href(SiteURL.inbox.path), .text(t(.inboxSearchClear)))),
            .unwrap(search.problem, { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) }, else: .if(
                search.hits.isEmpty,
                .p(.class("muted"), .text(t(.inboxSearchNone, ["query": search.query]))),
                else: .ul(
                    .class("conversation-list search-results"), .data(named: "testid", value: "search-results"),
                    .forEach(search.hits) { hit in
                        .li(
                            .class("conversation"),
                            .a(.href(SiteURL.conversation(.value(hit.conversationID)).path),
                               .strong(.text(hit.contactName)),
                               .unwrap(hit.phone) { .span(.class("muted"), .text(" " + $0)) },
                               .span(.class("muted"), .text(" · " + t(hit.kind == .contact ? .inboxSearchContact : .inboxSearchMessage) + " · " + t.dateTime(hit.at))),
                               .p(.class("preview"), .forEach(hit.snippet) { fragment in
                                   fragment.match ? .element(named: "mark", nodes: [.text(fragment.text)]) : .text(fragment.text)
                               }))
                        )
                    }
                )
            ))
        )
    }
}

/// One conversation: its messages, the 24-hour window, and the composer.
enum ConversationPage {
    struct Bubble {
        var id: UUID
        var isInbound: Bool
        var kind: String
        var content: MessageContent
        var status: Message.Status
        var errorTitle: String?
        var errorCode: Int?
        var forwarded: Bool
        var isReply: Bool
        var media: Media?
        var at: Date
    }

    struct Media {
        var state: Message.MediaState
        var url: String
        var mimeType: String?
        var filename: String?
    }

    struct TemplateChoice {
        var value: String
        var label: String
    }

    /// A private note in the thread.
    struct NoteItem {
        var id: UUID
        var author: String
        var body: String
        var at: Date
    }

    /// The thread in time order: the customer's and the team's messages, and the team's notes.
    enum Item {
        case message(Bubble)
        case note(NoteItem)

        var at: Date {
            switch self {
            case .message(let bubble): bubble.at
            case .note(let note): note.at
            }
        }
    }

    struct Contact {
        var name: String
        var phone: String?
        var since: Date
        var conversations: Int
    }

    /// Who handles the conversation, and the choices to change it.
    struct Work {
        var status: Conversation.Status
        var snoozedUntil: Date?
        var assigneeID: UUID?
        var teamID: UUID?
        var tags: [Choice]
        var members: [Choice]
        var teams: [Choice]
        var allTags: [Choice]
    }

    struct Model {
        var conversationID: UUID
        var title: String
        var subtitle: String
        var items: [Item]
        var windowClosesAt: Date?
        var windowIsOpen: Bool
        var canReply: Bool
        var templates: [TemplateChoice]
        var work: Work
        var contact: Contact
        /// Canned responses, filled in for this contact: shortcut and text.
        var cannedResponses: [Choice]
        /// The message the reply quotes, with a preview.
        var replyTo: (id: UUID, preview: String)?
        var liveCursor: Int64
        var notice: String?
        var error: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(model.title, chrome,
            .p(.class("page-links"), .a(.href(SiteURL.inbox.path), .data(named: "testid", value: "back"), .text("← " + t(.inboxBack))),
               .button(.type(.button), .class("button-link"), .data(named: "open-shortcuts", value: ""), .text(t(.inboxKeysButton)))),
            .h1(.text(model.title)),
            .p(.class("muted"), .text(model.subtitle)),
            .p(.id("viewers"), .class("muted"), .data(named: "testid", value: "viewers")),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .div(
                .class("conversation-layout"),
                .div(
                    .class("conversation-main"),
                    .ol(.id("thread"), .class("thread"), .data(named: "testid", value: "thread"),
                        .forEach(model.items) { item in
                            switch item {
                            case .message(let bubble): self.bubble(for: bubble, model, chrome)
                            case .note(let note): self.note(note, t)
                            }
                        }),
                    .if(model.canReply, composer(model, chrome))
                ),
                .aside(.id("side-panel"), .class("side-panel"), workPanel(model, chrome), contactPanel(model.contact, t))
            ),
            InboxParts.live(page: "conversation", cursor: model.liveCursor, conversationID: model.conversationID, chrome)
        )
    }

    private static func note(_ note: NoteItem, _ t: Localizer) -> Node {
        .li(
            .class("note"), .data(named: "note-id", value: note.id.uuidString), .data(named: "testid", value: "note"),
            .p(.class("note-label"), .text("🔒 " + t(.inboxNoteLabel, ["name": note.author]))),
            .p(.class("text"), .text(note.body)),
            .p(.class("meta"), .text(t.dateTime(note.at)))
        )
    }

    private static func workPanel(_ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        let work = model.work
        let action = SiteURL.conversationWork(.value(model.conversationID)).path
        func form(_ id: String, _ fields: Node...) -> Node {
            .form(.id(id), .method(.post), .action(action), .class("work-form"), Forms.csrf(chrome.csrfToken), .group(fields))
        }
        func button(_ actionName: String, _ label: String, key: String? = nil) -> Node {
            form("work-\(actionName)",
                 .input(.type(.hidden), .name("action"), .value(actionName)),
                 .button(.type(.submit), .class("button-secondary"), .unwrap(key) { .data(named: "key", value: $0) }, .text(label)))
        }
        let assignee = work.members.first { $0.value == work.assigneeID?.uuidString }?.label
        return .section(
            .id("work-panel"), .class("panel"), .data(named: "testid", value: "work-panel"),
            .h2(.text(t(.inboxWorkTitle))),
            .p(.data(named: "testid", value: "state"),
               .span(.class("badge"), .text(InboxParts.statusName(work.status, t))),
               .unwrap(work.snoozedUntil) { .text(" " + t(.inboxWorkSnoozedUntil, ["time": t.dateTime($0)])) }),
            .p(.data(named: "testid", value: "assignee"), .text(assignee.map { t(.inboxRowAssignee, ["name": $0]) } ?? t(.inboxRowUnassigned))),
            .if(model.canReply, .group(
                .div(.class("work-buttons"),
                     form("work-assign-me", .input(.type(.hidden), .name("action"), .value("assign")), .input(.type(.hidden), .name("assignee_id"), .value("me")),
                          .button(.type(.submit), .class("button-secondary"), .data(named: "key", value: "a"), .text(t(.inboxWorkAssignMe)))),
                     .if(work.status == .resolved, button("open", t(.inboxWorkReopen)), else: button("resolve", t(.inboxWorkResolve), key: "e")),
                     .if(work.status != .pending, button("pending", t(.inboxWorkPending))),
                     .if(work.assigneeID != nil, button("unassign", t(.inboxWorkUnassign)))),
                form("work-assign",
                     .input(.type(.hidden), .name("action"), .value("assign")),
                     .label(.for("assignee-select"), .text(t(.inboxWorkAssignTo))),
                     Forms.select(id: "assignee-select", name: "assignee_id", options: work.members.map { ($0.value, $0.label) }, selected: work.assigneeID?.uuidString),
                     .button(.type(.submit), .class("button-secondary"), .text(t(.inboxWorkAssign)))),
                form("work-snooze",
                     .input(.type(.hidden), .name("action"), .value("snooze")),
                     .label(.for("snooze-select"), .text(t(.inboxWorkSnooze))),
                     Forms.select(id: "snooze-select", name: "snooze_hours", options: [
                        ("1", t(.inboxSnoozeHour)), ("4", t(.inboxSnoozeHours, ["count": "4"])), ("24", t(.inboxSnoozeDay)), ("168", t(.inboxSnoozeWeek)),
                     ], selected: "4"),
                     .button(.type(.submit), .class("button-secondary"), .text(t(.inboxWorkSnoozeSubmit)))),
                form("work-team",
                     .input(.type(.hidden), .name("action"), .value("team")),
                     .label(.for("team-select"), .text(t(.inboxFilterTeam))),
                     Forms.select(id: "team-select", name: "team_id", options: [("", t(.inboxWorkNoTeam))] + work.teams.map { ($0.value, $0.label) }, selected: work.teamID?.uuidString ?? ""),
                     .button(.type(.submit), .class("button-secondary"), .text(t(.inboxWorkSetTeam))))
            )),
            .h3(.text(t(.inboxWorkTags))),
            .ul(.class("tag-list"), .data(named: "testid", value: "tags"), .forEach(work.tags) { tag in
                .li(.span(.class("tag"), .text(tag.label)),
                    .if(model.canReply, .form(.method(.post), .action(action), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                        .input(.type(.hidden), .name("action"), .value("untag")), .input(.type(.hidden), .name("tag_id"), .value(tag.value)),
                        .button(.type(.submit), .class("button-link"), .attribute(named: "aria-label", value: t(.inboxWorkUntag, ["tag": tag.label])), .text("×")))))
            }),
            .if(model.canReply && !work.allTags.isEmpty, form("work-tag",
                .input(.type(.hidden), .name("action"), .value("tag")),
                .label(.for("tag-select"), .text(t(.inboxWorkAddTag))),
                Forms.select(id: "tag-select", name: "tag_id", options: work.allTags.map { ($0.value, $0.label) }, selected: nil),
                .button(.type(.submit), .class("button-secondary"), .text(t(.inboxWorkTag)))))
        )
    }

    private static func contactPanel(_ contact: Contact, _ t: Localizer) -> Node {
        .section(
            .class("panel"), .data(named: "testid", value: "contact-panel"),
            .h2(.text(t(.inboxContactTitle))),
            .dl(
                .dt(.text(t(.inboxContactName))), .dd(.text(contact.name)),
                .unwrap(contact.phone) { phone in .group(.dt(.text(t(.inboxContactPhone))), .dd(.text(phone))) },
                .dt(.text(t(.inboxContactSince))), .dd(.text(t.dateTime(contact.since))),
                .dt(.text(t(.inboxContactConversations))), .dd(.text(String(contact.conversations)))
            )
        )
    }

    private static func bubble(for bubble: Bubble, _ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        let content = bubble.content
        let errorText = bubble.errorTitle.map { title in " · " + (bubble.errorCode.map { "\($0): " } ?? "") + title }
        let statusText = bubble.isInbound ? nil : " · " + status(bubble.status, t)
        return .li(
            .class("bubble " + (bubble.isInbound ? "inbound" : "outbound")),
            .data(named: "message-id", value: bubble.id.uuidString),
            .data(named: "kind", value: bubble.kind),
            .if(bubble.forwarded, .p(.class("muted"), .text(t(.inboxMessageForwarded)))),
            .if(bubble.isReply, .p(.class("muted"), .text("↩ " + t(.inboxMessageReplyTo)))),
            .unwrap(content.referral) { .p(.class("muted"), .text(t(.inboxMessageAd, ["headline": $0.headline ?? $0.sourceURL ?? ""]))) },
            .unwrap(bubble.media) { media(for: $0, kind: bubble.kind, t) },
            .unwrap(content.location) { location in
                .p(.a(.href("https://www.openstreetmap.org/?mlat=\(location.latitude)&mlon=\(location.longitude)"),
                      .text("📍 " + (location.name ?? t(.inboxMessageLocation)) + (location.address.map { ", " + $0 } ?? ""))))
            },
            .unwrap(content.contacts) { cards in
                .ul(.forEach(cards) { card in .li(.text("👤 " + card.name + " " + card.phones.joined(separator: ", "))) })
            },
            .unwrap(content.reaction) { reaction in
                .p(.text(reaction.emoji.map { t(.inboxMessageReacted, ["emoji": $0]) } ?? t(.inboxMessageReactionRemoved)))
            },
            .unwrap(content.template) { .p(.class("muted"), .text("📄 " + $0.name + " (" + $0.language + ")")) },
            .unwrap(content.text) { .p(.class("text"), .text($0)) },
            .unwrap(content.choice) { .p(.text("☑ " + $0.title)) },
            .unwrap(content.choices) { choices in .ul(.forEach(choices) { .li(.text("▢ " + $0.title)) }) },
            .unwrap(content.order) { .p(.text("🛒 \($0.itemCount) · \($0.total) \($0.currency ?? "")")) },
            .unwrap(content.unsupportedType) { .p(.class("unsupported"), .text(t(.inboxMessageUnsupported, ["type": $0]))) },
            .p(.class("meta"),
               .text(t.dateTime(bubble.at)),
               .unwrap(statusText) { .span(.class("status status-\(bubble.status.rawValue)"), .text($0)) },
               .unwrap(errorText) { .span(.class("field-error"), .text($0)) }),
            .if(model.canReply && model.windowIsOpen && bubble.kind != "reaction", .div(
                .class("message-actions"),
                .a(.href(SiteURL.conversation(.value(model.conversationID)).path + "?reply_to=\(bubble.id)#compose-text"), .class("button-link"), .text(t(.inboxReply))),
                .form(
                    .method(.post), .action(SiteURL.conversationReaction(.value(model.conversationID)).path), .class("inline-form reactions"),
                    Forms.csrf(chrome.csrfToken),
                    .input(.type(.hidden), .name("message_id"), .value(bubble.id.uuidString)),
                    .forEach(["👍", "❤️", "🙏", "😂"]) { emoji in
                        .button(.type(.submit), .name("emoji"), .value(emoji), .class("button-link"), .attribute(named: "aria-label", value: t(.inboxReactWith, ["emoji": emoji])), .text(emoji))
                    }
                )
            ))
        )
    }

    private static func media(for media: Media, kind: String, _ t: Localizer) -> Node {
        switch media.state {
        case .pending: return .p(.class("muted"), .text(t(.inboxMessageMediaPending)))
        case .failed: return .p(.class("field-error"), .text(t(.inboxMessageMediaFailed)))
        case .stored:
            switch kind {
            case "image", "sticker": return .img(.src(media.url), .alt(media.filename ?? kind), .class("media"))
            case "video", "audio":
                return .element(named: kind, nodes: [.attribute(named: "controls"), .class("media"), .src(media.url)])
            default: return .p(.a(.href(media.url), .text(t(.inboxMessageDownload, ["name": media.filename ?? kind]))))
            }
        }
    }

    static func status(_ status: Message.Status, _ t: Localizer) -> String {
        switch status {
        case .received: t(.inboxStatusReceived)
        case .queued: t(.inboxStatusQueued)
        case .sending: t(.inboxStatusSending)
        case .unknown: t(.inboxStatusUnknown)
        case .sent: t(.inboxStatusSent)
        case .delivered: t(.inboxStatusDelivered)
        case .read: t(.inboxStatusRead)
        case .played: t(.inboxStatusPlayed)
        case .failed: t(.inboxStatusFailed)
        }
    }

    private static func composer(_ model: Model, _ chrome: Chrome) -> Node {
        let t = chrome.t
        let messagesPath = SiteURL.conversationMessages(.value(model.conversationID)).path
        return .section(
            .class("panel composer"),
            .if(model.windowIsOpen,
                .p(.class("muted"), .text(t(.inboxWindowOpen, ["time": model.windowClosesAt.map(t.dateTime) ?? ""]))),
                else: .p(.class("alert alert-error"), .data(named: "testid", value: "window-closed"), .text(t(.inboxWindowClosed)))),
            .if(model.windowIsOpen, .group(
                .form(
                    .id("compose-form"), .method(.post), .action(messagesPath),
                    Forms.csrf(chrome.csrfToken),
                    .unwrap(model.replyTo) { reply in
                        .group(
                            .input(.type(.hidden), .name("reply_to"), .value(reply.id.uuidString)),
                            .p(.class("replying"), .data(named: "testid", value: "replying"), .text("↩ " + t(.inboxReplying, ["text": reply.preview])),
                               .a(.href(SiteURL.conversation(.value(model.conversationID)).path), .class("button-link"), .text(t(.inboxReplyCancel))))
                        )
                    },
                    .label(.for("compose-text"), .text(t(.inboxComposeLabel))),
                    .p(.id("compose-hint"), .class("field-hint"), .text(t(.inboxComposeHint))),
                    .textarea(.id("compose-text"), .name("text"), .required(true), .attribute(named: "maxlength", value: "4096"),
                              .attribute(named: "aria-describedby", value: "compose-hint")),
                    .ul(.id("canned-responses"), .class("canned-list"), .hidden(true), .attribute(named: "role", value: "listbox"),
                        .attribute(named: "aria-label", value: t(.inboxCannedTitle)),
                        .forEach(model.cannedResponses) { canned in
                            .li(.attribute(named: "role", value: "option"), .data(named: "shortcut", value: canned.value), .data(named: "text", value: canned.label),
                                .strong(.text("/" + canned.value)), .text(" " + String(canned.label.prefix(80))))
                        }),
                    .button(.type(.submit), .class("button-primary"), .text(t(.inboxComposeSend)))
                ),
                .form(
                    .id("upload-form"), .method(.post), .action(messagesPath), .enctype(.multipartData),
                    Forms.csrf(chrome.csrfToken),
                    .label(.for("compose-file"), .text(t(.inboxComposeFile))),
                    .input(.type(.file), .id("compose-file"), .name("file"), .required(true)),
                    .label(.for("compose-caption"), .text(t(.inboxComposeCaption))),
                    .input(.type(.text), .id("compose-caption"), .name("caption")),
                    .button(.type(.submit), .class("button-secondary"), .text(t(.inboxComposeSendFile)))
                )
            )),
            .form(
                .id("note-form"), .method(.post), .action(SiteURL.conversationNotes(.value(model.conversationID)).path), .class("note-form"),
                Forms.csrf(chrome.csrfToken),
                .label(.for("note-text"), .text(t(.inboxNoteFormLabel))),
                .p(.id("note-hint"), .class("field-hint"), .text(t(.inboxNoteHint))),
                .textarea(.id("note-text"), .name("body"), .required(true), .attribute(named: "maxlength", value: String(Notes.maxLength)),
                          .attribute(named: "aria-describedby", value: "note-hint")),
                .button(.type(.submit), .class("button-secondary"), .text(t(.inboxNoteSubmit)))
            ),
            .h2(.text(t(.inboxTemplateTitle))),
            .if(model.templates.isEmpty, .p(.class("muted"), .text(t(.inboxTemplateNone))), else: .form(
                .id("template-form"), .method(.post), .action(SiteURL.conversationTemplate(.value(model.conversationID)).path),
                Forms.csrf(chrome.csrfToken),
                .label(.for("template-select"), .text(t(.inboxTemplateChoose))),
                Forms.select(id: "template-select", name: "template", options: model.templates.map { ($0.value, $0.label) }, selected: nil),
                .label(.for("template-parameters"), .text(t(.inboxTemplateParameters))),
                .textarea(.id("template-parameters"), .name("parameters")),
                .button(.type(.submit), .class("button-secondary"), .text(t(.inboxTemplateSend)))
            ))
        )
    }
}


/// Settings → Inbox.
enum InboxSettingsPage {
    struct TeamRow {
        var id: UUID
        var name: String
        var autoAssign: Bool
        var members: Set<UUID>
    }

    struct MemberRow {
        var id: UUID
        var name: String
        var capacity: Int
        var available: Bool
    }

    struct CannedRow {
        var id: UUID
        var shortcut: String
        var body: String
    }

    struct Model {
        var canManage: Bool
        var agentsSeeAll: Bool
        var teams: [TeamRow]
        var members: [MemberRow]
        var tags: [Choice]
        var cannedResponses: [CannedRow]
        var notice: String?
        var error: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let action = SiteURL.inboxSettings.path
        func form(_ id: String, _ kind: String, _ fields: Node...) -> Node {
            .form(.id(id), .method(.post), .action(action), .class("settings-form"), Forms.csrf(chrome.csrfToken),
                  .input(.type(.hidden), .name("action"), .value(kind)), .group(fields))
        }
        func deleteForm(_ kind: String, _ id: UUID, _ label: String) -> Node {
            .if(model.canManage, .form(.method(.post), .action(action), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                .input(.type(.hidden), .name("action"), .value(kind)), .input(.type(.hidden), .name("id"), .value(id.uuidString)),
                .button(.type(.submit), .class("button-danger"), .attribute(named: "aria-label", value: label), .text(t(.inboxSettingsDelete)))))
        }
        func memberChecks(_ prefix: String, _ selected: Set<UUID>) -> Node {
            .fieldset(.element(named: "legend", text: t(.inboxSettingsTeamMembers)), .forEach(model.members) { member in
                .div(.class("check"),
                     .input(.type(.checkbox), .id("\(prefix)-\(member.id)"), .name("member_ids"), .value(member.id.uuidString),
                            .checked(selected.contains(member.id)), .disabled(!model.canManage)),
                     .label(.for("\(prefix)-\(member.id)"), .text(member.name)))
            })
        }
        return Layout.page(t(.inboxSettingsTitle), chrome,
            .h1(.text(t(.inboxSettingsTitle))),
            .p(.class("lead"), .text(t(.inboxSettingsIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .section(.class("panel"),
                .h2(.text(t(.inboxSettingsVisibility))),
                form("visibility-form", "visibility",
                     .div(.class("check"),
                          .input(.type(.checkbox), .id("agents_see_all"), .name("agents_see_all"), .checked(model.agentsSeeAll), .disabled(!model.canManage)),
                          .label(.for("agents_see_all"), .text(t(.inboxSettingsAgentsSeeAll)))),
                     .if(model.canManage, .button(.type(.submit), .class("button-secondary"), .text(t(.inboxSettingsSave)))))),
            .section(.class("panel"),
                .h2(.text(t(.inboxSettingsTeams))),
                .forEach(model.teams) { team in
                    .div(.class("team"), .data(named: "team-id", value: team.id.uuidString),
                         form("team-\(team.id)", "team.update",
                              .input(.type(.hidden), .name("id"), .value(team.id.uuidString)),
                              Forms.field(label: t(.inboxSettingsTeamName), name: "name", id: "team-name-\(team.id)", type: .text, value: team.name, autocomplete: "off"),
                              .div(.class("check"),
                                   .input(.type(.checkbox), .id("auto-\(team.id)"), .name("auto_assign"), .checked(team.autoAssign), .disabled(!model.canManage)),
                                   .label(.for("auto-\(team.id)"), .text(t(.inboxSettingsAutoAssign)))),
                              memberChecks("team-\(team.id)", team.members),
                              .if(model.canManage, .button(.type(.submit), .class("button-secondary"), .text(t(.inboxSettingsSave))))),
                         deleteForm("team.delete", team.id, t(.inboxSettingsDeleteNamed, ["name": team.name])))
                },
                .if(model.canManage, .group(
                    .h3(.text(t(.inboxSettingsNewTeam))),
                    form("team-create-form", "team.create",
                         Forms.field(label: t(.inboxSettingsTeamName), name: "name", id: "new-team-name", type: .text, autocomplete: "off"),
                         .div(.class("check"), .input(.type(.checkbox), .id("auto_assign"), .name("auto_assign")),
                              .label(.for("auto_assign"), .text(t(.inboxSettingsAutoAssign)))),
                         memberChecks("new-team", []),
                         .button(.type(.submit), .class("button-primary"), .text(t(.inboxSettingsCreateTeam))))))),
            .section(.class("panel"),
                .h2(.text(t(.inboxSettingsCapacity))),
                .p(.class("muted"), .text(t(.inboxSettingsCapacityHint))),
                .div(.class("table-wrap"), .table(.class("data-table"),
                    .thead(.tr(.th(.text(t(.inboxSettingsMember))), .th(.text(t(.inboxSettingsAvailability))), .th(.text(t(.inboxSettingsCapacity))))),
                    .tbody(.forEach(model.members) { member in
                        .tr(.td(.text(member.name)),
                            .td(.text(member.available ? t(.inboxAvailable) : t(.inboxAway))),
                            .td(.if(model.canManage,
                                    .form(.method(.post), .action(action), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                                          .input(.type(.hidden), .name("action"), .value("capacity")),
                                          .input(.type(.hidden), .name("id"), .value(member.id.uuidString)),
                                          .input(.type(.number), .name("capacity"), .value(String(member.capacity)),
                                                 .attribute(named: "min", value: "\(InboxSettings.capacityRange.lowerBound)"),
                                                 .attribute(named: "max", value: "\(InboxSettings.capacityRange.upperBound)"),
                                                 .attribute(named: "aria-label", value: t(.inboxSettingsCapacityOf, ["name": member.name]))),
                                          .button(.type(.submit), .class("button-secondary"), .text(t(.inboxSettingsSave)))),
                                    else: .text(String(member.capacity)))))
                    })))),
            .section(.class("panel"),
                .h2(.text(t(.inboxSettingsTags))),
                .ul(.class("tag-list"), .forEach(model.tags) { tag in
                    .li(.span(.class("tag"), .text(tag.label)), deleteForm("tag.delete", UUID(uuidString: tag.value)!, t(.inboxSettingsDeleteNamed, ["name": tag.label])))
                }),
                .if(model.canManage, form("tag-create-form", "tag.create",
                    Forms.field(label: t(.inboxSettingsNewTag), name: "name", id: "new-tag-name", type: .text, autocomplete: "off"),
                    .button(.type(.submit), .class("button-primary"), .text(t(.inboxSettingsCreateTag)))))),
            .section(.class("panel"),
                .h2(.text(t(.inboxSettingsCanned))),
                .p(.class("muted"), .text(t(.inboxSettingsCannedHint))),
                .ul(.forEach(model.cannedResponses) { canned in
                    .li(.strong(.text("/" + canned.shortcut)), .text(" " + canned.body), deleteForm("canned.delete", canned.id, t(.inboxSettingsDeleteNamed, ["name": "/" + canned.shortcut])))
                }),
                .if(model.canManage, form("canned-create-form", "canned.create",
                    Forms.field(label: t(.inboxSettingsShortcut), name: "shortcut", type: .text, autocomplete: "off"),
                    .div(.class("field"), .label(.for("canned-body"), .text(t(.inboxSettingsCannedBody))), .textarea(.id("canned-body"), .name("body"), .required(true))),
                    .button(.type(.submit), .class("button-primary"), .text(t(.inboxSettingsCreateCanned))))))
        )
    }
}
