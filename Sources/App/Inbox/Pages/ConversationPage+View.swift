import ADSappCore
import Foundation
import SafeHTML

extension ConversationPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(
            model.title, chrome,
            .p(
                .class("page-links"), .a(.href(SiteURL.inbox.path), .data(named: "testid", value: "back"), .text("← " + t(.inboxBack))),
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
                    .ol(
                        .id("thread"), .class("thread"), .data(named: "testid", value: "thread"),
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
            form(
                "work-\(actionName)",
                .input(.type(.hidden), .name("action"), .value(actionName)),
                .button(.type(.submit), .class("button-secondary"), .unwrap(key) { .data(named: "key", value: $0) }, .text(label)))
        }
        let assignee = work.members.first { $0.value == work.assigneeID?.uuidString }?.label
        return .section(
            .id("work-panel"), .class("panel"), .data(named: "testid", value: "work-panel"),
            .h2(.text(t(.inboxWorkTitle))),
            .p(
                .data(named: "testid", value: "state"),
                .span(.class("badge"), .text(InboxParts.statusName(work.status, t))),
                .unwrap(work.snoozedUntil) { .text(" " + t(.inboxWorkSnoozedUntil, ["time": t.dateTime($0)])) }),
            .p(.data(named: "testid", value: "assignee"), .text(assignee.map { t(.inboxRowAssignee, ["name": $0]) } ?? t(.inboxRowUnassigned))),
            .if(
                model.canReply,
                .group(
                    .div(
                        .class("work-buttons"),
                        form(
                            "work-assign-me", .input(.type(.hidden), .name("action"), .value("assign")),
                            .input(.type(.hidden), .name("assignee_id"), .value("me")),
                            .button(.type(.submit), .class("button-secondary"), .data(named: "key", value: "a"), .text(t(.inboxWorkAssignMe)))),
                        .if(work.status == .resolved, button("open", t(.inboxWorkReopen)), else: button("resolve", t(.inboxWorkResolve), key: "e")),
                        .if(work.status != .pending, button("pending", t(.inboxWorkPending))),
                        .if(work.assigneeID != nil, button("unassign", t(.inboxWorkUnassign)))),
                    form(
                        "work-assign",
                        .input(.type(.hidden), .name("action"), .value("assign")),
                        .label(.for("assignee-select"), .text(t(.inboxWorkAssignTo))),
                        Forms.select(
                            id: "assignee-select", name: "assignee_id", options: work.members.map { ($0.value, $0.label) },
                            selected: work.assigneeID?.uuidString),
                        .button(.type(.submit), .class("button-secondary"), .text(t(.inboxWorkAssign)))),
                    form(
                        "work-snooze",
                        .input(.type(.hidden), .name("action"), .value("snooze")),
                        .label(.for("snooze-select"), .text(t(.inboxWorkSnooze))),
                        Forms.select(
                            id: "snooze-select", name: "snooze_hours",
                            options: [
                                ("1", t(.inboxSnoozeHour)), ("4", t(.inboxSnoozeHours, ["count": "4"])), ("24", t(.inboxSnoozeDay)),
                                ("168", t(.inboxSnoozeWeek)),
                            ], selected: "4"),
                        .button(.type(.submit), .class("button-secondary"), .text(t(.inboxWorkSnoozeSubmit)))),
                    form(
                        "work-team",
                        .input(.type(.hidden), .name("action"), .value("team")),
                        .label(.for("team-select"), .text(t(.inboxFilterTeam))),
                        Forms.select(
                            id: "team-select", name: "team_id", options: [("", t(.inboxWorkNoTeam))] + work.teams.map { ($0.value, $0.label) },
                            selected: work.teamID?.uuidString ?? ""),
                        .button(.type(.submit), .class("button-secondary"), .text(t(.inboxWorkSetTeam))))
                )),
            .h3(.text(t(.inboxWorkTags))),
            .ul(
                .class("tag-list"), .data(named: "testid", value: "tags"),
                .forEach(work.tags) { tag in
                    .li(
                        .span(.class("tag"), .text(tag.label)),
                        .if(
                            model.canReply,
                            .form(
                                .method(.post), .action(action), .class("inline-form"), Forms.csrf(chrome.csrfToken),
                                .input(.type(.hidden), .name("action"), .value("untag")), .input(.type(.hidden), .name("tag_id"), .value(tag.value)),
                                .button(
                                    .type(.submit), .class("button-link"), .attribute(named: "aria-label", value: t(.inboxWorkUntag, ["tag": tag.label])),
                                    .text("×")))))
                }),
            .if(
                model.canReply && !work.allTags.isEmpty,
                form(
                    "work-tag",
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
                .p(
                    .a(
                        .href("https://www.openstreetmap.org/?mlat=\(location.latitude)&mlon=\(location.longitude)"),
                        .text("📍 " + (location.name ?? t(.inboxMessageLocation)) + (location.address.map { ", " + $0 } ?? ""))))
            },
            .unwrap(content.contacts) { cards in
                .ul(.forEach(cards) { card in .li(.text("👤 " + card.name + " " + card.phones.joined(separator: ", "))) })
            },
            .unwrap(content.reaction) { reaction in
                .p(.text(reaction.emoji.map { t(.inboxMessageReacted, ["emoji": $0]) } ?? t(.inboxMessageReactionRemoved)))
            },
            .unwrap(content.template) { .p(.class("muted"), .text("📄 " + $0.name + " (" + $0.language + ")")) },
            .if(bubble.autoAnswer, .p(.class("auto-answer"), .data(named: "testid", value: "auto-answer"), .text("🤖 " + t(.aiAutoAnswerShown)))),
            .unwrap(content.text) { text in
                if let translation = bubble.translation {
                    return .div(
                        .class("translated"), .data(named: "testid", value: "translated"),
                        .p(.class("text"), .attribute(named: "lang", value: t.language.rawValue), .text(translation.text)),
                        .p(.class("muted"), .text(t(.aiTranslatedFrom, ["language": translation.from]))),
                        .details(.summary(.text(t(.aiTranslationOriginal))), .p(.class("text original"), .text(text))))
                }
                return .p(.class("text"), .text(text))
            },
            .unwrap(content.choice) { .p(.text("☑ " + $0.title)) },
            .unwrap(content.choices) { choices in .ul(.forEach(choices) { .li(.text("▢ " + $0.title)) }) },
            .unwrap(content.order) { .p(.text("🛒 \($0.itemCount) · \($0.total) \($0.currency ?? "")")) },
            .unwrap(content.unsupportedType) { .p(.class("unsupported"), .text(t(.inboxMessageUnsupported, ["type": $0]))) },
            .p(
                .class("meta"),
                .text(t.dateTime(bubble.at)),
                .unwrap(statusText) { .span(.class("status status-\(bubble.status.rawValue)"), .text($0)) },
                .unwrap(errorText) { .span(.class("field-error"), .text($0)) },
                .unwrap(bubble.sentiment) { sentiment in
                    .span(
                        .class("sentiment sentiment-\(sentiment.rawValue)"), .data(named: "sentiment", value: sentiment.rawValue),
                        .text(" · " + t(.aiSentimentShown, ["sentiment": t(sentiment.name)])))
                }),
            .if(
                model.canReply && model.windowIsOpen && bubble.kind != "reaction",
                .div(
                    .class("message-actions"),
                    .a(
                        .href(SiteURL.conversation(.value(model.conversationID)).path + "?reply_to=\(bubble.id)#compose-text"), .class("button-link"),
                        .text(t(.inboxReply))),
                    .form(
                        .method(.post), .action(SiteURL.conversationReaction(.value(model.conversationID)).path), .class("inline-form reactions"),
                        Forms.csrf(chrome.csrfToken),
                        .input(.type(.hidden), .name("message_id"), .value(bubble.id.uuidString)),
                        .forEach(["👍", "❤️", "🙏", "😂"]) { emoji in
                            .button(
                                .type(.submit), .name("emoji"), .value(emoji), .class("button-link"),
                                .attribute(named: "aria-label", value: t(.inboxReactWith, ["emoji": emoji])), .text(emoji))
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
            .if(
                model.windowIsOpen,
                .p(.class("muted"), .text(t(.inboxWindowOpen, ["time": model.windowClosesAt.map(t.dateTime) ?? ""]))),
                else: .p(.class("alert alert-error"), .data(named: "testid", value: "window-closed"), .text(t(.inboxWindowClosed)))),
            .if(
                model.windowIsOpen,
                .group(
                    .form(
                        .id("compose-form"), .method(.post), .action(messagesPath),
                        Forms.csrf(chrome.csrfToken),
                        .unwrap(model.replyTo) { reply in
                            .group(
                                .input(.type(.hidden), .name("reply_to"), .value(reply.id.uuidString)),
                                .p(
                                    .class("replying"), .data(named: "testid", value: "replying"), .text("↩ " + t(.inboxReplying, ["text": reply.preview])),
                                    .a(.href(SiteURL.conversation(.value(model.conversationID)).path), .class("button-link"), .text(t(.inboxReplyCancel))))
                            )
                        },
                        .label(.for("compose-text"), .text(t(.inboxComposeLabel))),
                        .p(.id("compose-hint"), .class("field-hint"), .text(t(.inboxComposeHint))),
                        .textarea(
                            .id("compose-text"), .name("text"), .required(true), .attribute(named: "maxlength", value: "4096"),
                            .attribute(named: "aria-describedby", value: "compose-hint"), .text(model.composerText ?? "")),
                        .ul(
                            .id("canned-responses"), .class("canned-list"), .hidden(true), .attribute(named: "role", value: "listbox"),
                            .attribute(named: "aria-label", value: t(.inboxCannedTitle)),
                            .forEach(model.cannedResponses) { canned in
                                .li(
                                    .attribute(named: "role", value: "option"), .data(named: "shortcut", value: canned.value),
                                    .data(named: "text", value: canned.label),
                                    .strong(.text("/" + canned.value)), .text(" " + String(canned.label.prefix(80))))
                            }),
                        .unwrap(model.assistance.translateInto) { language in
                            .div(
                                .class("check"),
                                .input(.type(.checkbox), .id("compose-translate"), .name("translate"), .value(language.code), .checked(true)),
                                .label(.for("compose-translate"), .text(t(.aiTranslateReply, ["language": language.name]))))
                        },
                        .button(.type(.submit), .class("button-primary"), .text(t(.inboxComposeSend))),
                        .if(
                            model.assistance.draft,
                            .group(
                                // Without the script this posts the form and the page comes back with the draft in the
                                // composer; with it, the draft streams in (`inbox.js`).
                                .button(
                                    .type(.submit), .class("button-secondary"), .id("ai-draft"),
                                    .attribute(named: "formaction", value: SiteURL.conversationDraft(.value(model.conversationID)).path),
                                    .attribute(named: "formnovalidate", value: "formnovalidate"), .data(named: "writing", value: t(.aiDraftWriting)),
                                    .data(named: "ready", value: t(.aiDraftReady)), .data(named: "failed", value: t(.aiErrorFailed)),
                                    .text(t(.aiDraftButton))),
                                .p(
                                    .id("ai-draft-status"), .class("field-hint"), .attribute(named: "role", value: "status"),
                                    .attribute(named: "aria-live", value: "polite"), .text(model.composerText == nil ? "" : t(.aiDraftReady)))))
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
                .textarea(
                    .id("note-text"), .name("body"), .required(true), .attribute(named: "maxlength", value: String(Notes.maxLength)),
                    .attribute(named: "aria-describedby", value: "note-hint")),
                .button(.type(.submit), .class("button-secondary"), .text(t(.inboxNoteSubmit))),
                .if(
                    model.assistance.summary,
                    .button(
                        .type(.submit), .class("button-secondary"), .id("ai-summary"),
                        .attribute(named: "formaction", value: SiteURL.conversationSummary(.value(model.conversationID)).path),
                        .attribute(named: "formnovalidate", value: "formnovalidate"), .text(t(.aiSummaryButton))))
            ),
            .h2(.text(t(.inboxTemplateTitle))),
            .if(
                model.templates.isEmpty, .p(.class("muted"), .text(t(.inboxTemplateNone))),
                else: .form(
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
