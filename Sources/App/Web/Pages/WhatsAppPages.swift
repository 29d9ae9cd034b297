import ADSappCore
import Foundation
import Plot

/// Settings → WhatsApp numbers: the connected numbers, the webhook to paste into Meta, the connect form.
enum WhatsAppSettingsPage {
    struct Row {
        var id: UUID
        var displayPhoneNumber: String
        var verifiedName: String?
        var quality: String?
        var isBroken: Bool
        var stateDetail: String?
        var webhookURL: String
        var phoneNumberID: String
        var businessAccountID: String
    }

    struct Model {
        var rows: [Row]
        var callbackURL: String
        var verifyToken: String?
        var hasPlatformSecret: Bool
        var defaultNumberID: String?
        var canManage: Bool
        var notice: String?
        var error: String?
        var form: ConnectionInput
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.whatsappTitle), chrome,
            .h1(.text(t(.whatsappTitle))),
            .p(.class("lead"), .text(t(.whatsappIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .if(model.rows.isEmpty, .p(.class("muted"), .text(t(.whatsappNone))), else: .div(.class("table-wrap"), .table(
                .class("data-table"),
                .thead(.tr(
                    .th(.text(t(.whatsappNumber))), .th(.text(t(.whatsappName))), .th(.text(t(.whatsappQuality))),
                    .th(.text(t(.whatsappState))), .th(.text(t(.whatsappWebhookURL))), .th(.text(t(.membersActions)))
                )),
                .tbody(.forEach(model.rows) { row in
                    .tr(
                        .data(named: "connection-id", value: row.id.uuidString),
                        .td(.text(row.displayPhoneNumber), .br(), .span(.class("muted"), .text(row.phoneNumberID))),
                        .td(.text(row.verifiedName ?? "")),
                        .td(.text(row.quality ?? "")),
                        .td(
                            .span(.class(row.isBroken ? "badge badge-danger" : "badge"), .text(row.isBroken ? t(.whatsappStateBroken) : t(.whatsappStateActive))),
                            .unwrap(row.stateDetail) { .p(.class("muted"), .text($0)) }
                        ),
                        .td(.code(.text(row.webhookURL))),
                        .td(.if(model.canManage, .form(
                            .method(.post), .action(SiteURL.whatsAppConnectionCheck(.value(row.id)).path), .class("inline-form"),
                            Forms.csrf(chrome.csrfToken),
                            .button(.type(.submit), .class("button-secondary"), .text(t(.whatsappCheck)))
                        )))
                    )
                })
            ))),
            .section(
                .class("panel"),
                .h2(.text(t(.whatsappSetupTitle))),
                .dl(
                    .dt(.text(t(.whatsappSetupCallback))), .dd(.code(.text(model.callbackURL))),
                    .dt(.text(t(.whatsappSetupVerifyToken))),
                    .dd(.unwrap(model.verifyToken, { .code(.text($0)) }, else: .text(t(.whatsappSetupNoVerifyToken))))
                ),
                .if(!model.hasPlatformSecret, .p(.class("alert alert-error"), .text(t(.whatsappSetupNoSecret)))),
                .p(.class("muted"), .text(t(.whatsappSetupFields)))
            ),
            .if(model.canManage, connectForm(model, chrome))
        )
    }

    private static func connectForm(_ model: Model, _ chrome: Chrome) -> Node<HTML.BodyContext> {
        let t = chrome.t
        return .section(
            .class("panel"),
            .h2(.text(t(.whatsappConnectTitle))),
            .unwrap(model.defaultNumberID) { id in
                .form(
                    .method(.post), .action(SiteURL.whatsAppConnectDefault.path),
                    Forms.csrf(chrome.csrfToken),
                    .button(.type(.submit), .class("button-secondary"), .text(t(.whatsappConnectDefault, ["id": id])))
                )
            },
            .p(.class("muted"), .text(t(.whatsappConnectHint))),
            .form(
                .id("connect-form"), .method(.post), .action(SiteURL.whatsAppSettings.path),
                Forms.csrf(chrome.csrfToken),
                Forms.field(label: t(.whatsappConnectPhoneNumberID), name: "phone_number_id", type: .text, value: model.form.phoneNumberID, autocomplete: "off"),
                Forms.field(label: t(.whatsappConnectBusinessAccountID), name: "business_account_id", type: .text, value: model.form.businessAccountID, autocomplete: "off"),
                Forms.field(label: t(.whatsappConnectAccessToken), name: "access_token", type: .password, autocomplete: "off"),
                Forms.field(label: t(.whatsappConnectAppSecret), name: "app_secret", type: .password, autocomplete: "off", required: false),
                Forms.field(label: t(.whatsappConnectVerifyToken), name: "verify_token", type: .text, autocomplete: "off", required: false),
                Forms.field(label: t(.whatsappConnectSendsPerSecond), name: "sends_per_second", type: .number, value: model.form.sendsPerSecond.map(String.init) ?? "80", autocomplete: "off"),
                .button(.type(.submit), .class("button-primary"), .text(t(.whatsappConnectSubmit)))
            )
        )
    }
}

/// The conversation list.
enum InboxPage {
    struct Row {
        var id: UUID
        var name: String
        var preview: String
        var at: Date
        var unread: Int
        var isResolved: Bool
    }

    /// A search and what it found; `problem` says why it could not run.
    struct Search {
        var query: String
        var hits: [InboxSearch.Hit]
        var problem: String?
    }

    static func html(_ rows: [Row], search: Search?, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.inboxTitle), chrome,
            .h1(.text(t(.inboxTitle))),
            .form(
                .method(.get), .action(SiteURL.inbox.path), .class("search"), .attribute(named: "role", value: "search"),
                .label(.for("inbox-search"), .text(t(.inboxSearchLabel))),
                .input(.type(.search), .id("inbox-search"), .name("q"), .value(search?.query ?? ""),
                       .attribute(named: "maxlength", value: String(SearchController.maxQueryLength)),
                       .data(named: "testid", value: "search-input")),
                .button(.type(.submit), .text(t(.inboxSearchSubmit)))
            ),
            .unwrap(search, { results($0, t) }, else: list(rows, t))
        )
    }

    private static func list(_ rows: [Row], _ t: Localizer) -> Node<HTML.BodyContext> {
        .if(rows.isEmpty, .p(.class("muted"), .text(t(.inboxEmpty))), else: .ul(
                .class("conversation-list"), .data(named: "testid", value: "conversation-list"),
                .forEach(rows) { row in
                    .li(
                        .class(row.unread > 0 ? "conversation unread" : "conversation"),
                        .a(.href(SiteURL.conversation(.value(row.id)).path),
                           .strong(.text(row.name)),
                           .span(.class("muted"), .text(" · " + t.dateTime(row.at))),
                           .if(row.unread > 0, .span(.class("badge"), .text(t(.inboxUnread, ["count": String(row.unread)])))),
                           .if(row.isResolved, .span(.class("badge badge-muted"), .text(t(.inboxResolved)))),
                           .p(.class("preview"), .text(row.preview)))
                    )
                }
            ))
    }

    private static func results(_ search: Search, _ t: Localizer) -> Node<HTML.BodyContext> {
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

    struct Model {
        var conversationID: UUID
        var title: String
        var subtitle: String
        var bubbles: [Bubble]
        var windowClosesAt: Date?
        var windowIsOpen: Bool
        var canReply: Bool
        var templates: [TemplateChoice]
        var notice: String?
        var error: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(model.title, chrome,
            .p(.a(.href(SiteURL.inbox.path), .text("← " + t(.inboxBack)))),
            .h1(.text(model.title)),
            .p(.class("muted"), .text(model.subtitle)),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .ol(.class("thread"), .data(named: "testid", value: "thread"),
                .forEach(model.bubbles) { bubble(for: $0, t) }),
            .if(model.canReply, composer(model, chrome))
        )
    }

    private static func bubble(for bubble: Bubble, _ t: Localizer) -> Node<HTML.ListContext> {
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
               .unwrap(errorText) { .span(.class("field-error"), .text($0)) })
        )
    }

    private static func media(for media: Media, kind: String, _ t: Localizer) -> Node<HTML.BodyContext> {
        switch media.state {
        case .pending: return .p(.class("muted"), .text(t(.inboxMessageMediaPending)))
        case .failed: return .p(.class("field-error"), .text(t(.inboxMessageMediaFailed)))
        case .stored:
            switch kind {
            case "image", "sticker": return .img(.src(media.url), .alt(media.filename ?? kind), .class("media"))
            case "video", "audio":
                let tag = kind
                return .raw("<\(tag) controls class=\"media\" src=\"\(Forms.escape(media.url))\"></\(tag)>")
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

    private static func composer(_ model: Model, _ chrome: Chrome) -> Node<HTML.BodyContext> {
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
                    .label(.for("compose-text"), .text(t(.inboxComposeLabel))),
                    .textarea(.id("compose-text"), .name("text"), .required(true), .attribute(named: "maxlength", value: "4096")),
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

/// The organization's message templates, with sync, create and delete.
enum TemplatesPage {
    struct Row {
        var id: UUID
        var name: String
        var language: String
        var category: String
        var status: String
        var quality: String?
        var rejectedReason: String?
        var body: String?
    }

    struct Model {
        var rows: [Row]
        var canManage: Bool
        var notice: String?
        var error: String?
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        return Layout.page(t(.templatesTitle), chrome,
            .h1(.text(t(.templatesTitle))),
            .p(.class("lead"), .text(t(.templatesIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .if(model.canManage, .form(
                .method(.post), .action(SiteURL.templatesSync.path), Forms.csrf(chrome.csrfToken),
                .button(.type(.submit), .class("button-secondary"), .text(t(.templatesSync)))
            )),
            .if(model.rows.isEmpty, .p(.class("muted"), .text(t(.templatesNone))), else: .div(.class("table-wrap"), .table(
                .class("data-table"),
                .thead(.tr(
                    .th(.text(t(.templatesName))), .th(.text(t(.templatesLanguage))), .th(.text(t(.templatesCategory))),
                    .th(.text(t(.templatesStatus))), .th(.text(t(.templatesQuality))), .th(.text(t(.templatesBody))), .th(.text(t(.membersActions)))
                )),
                .tbody(.forEach(model.rows) { row in
                    .tr(
                        .data(named: "template-id", value: row.id.uuidString),
                        .td(.text(row.name)), .td(.text(row.language)), .td(.text(row.category)),
                        .td(.span(.class(row.status == "APPROVED" ? "badge" : "badge badge-muted"), .text(row.status)),
                            .unwrap(row.rejectedReason) { .p(.class("muted"), .text($0)) }),
                        .td(.text(row.quality ?? "")),
                        .td(.text(row.body ?? "")),
                        .td(.if(model.canManage, .form(
                            .method(.post), .action(SiteURL.templateDelete(.value(row.id)).path), .class("inline-form"),
                            Forms.csrf(chrome.csrfToken),
                            .button(.type(.submit), .class("button-danger"), .text(t(.templatesDelete)))
                        )))
                    )
                })
            ))),
            .if(model.canManage, createForm(chrome))
        )
    }

    private static func createForm(_ chrome: Chrome) -> Node<HTML.BodyContext> {
        let t = chrome.t
        return .section(
            .class("panel"),
            .h2(.text(t(.templatesCreateTitle))),
            .form(
                .id("template-create-form"), .method(.post), .action(SiteURL.templates.path),
                Forms.csrf(chrome.csrfToken),
                Forms.field(label: t(.templatesName), name: "name", type: .text, autocomplete: "off"),
                Forms.field(label: t(.templatesLanguage), name: "language", type: .text, value: chrome.language == .nl ? "nl" : "en_US", autocomplete: "off"),
                .div(.class("field"),
                     .label(.for("category"), .text(t(.templatesCategory))),
                     Forms.select(id: "category", name: "category", options: [("UTILITY", "UTILITY"), ("MARKETING", "MARKETING"), ("AUTHENTICATION", "AUTHENTICATION")], selected: "UTILITY")),
                Forms.field(label: t(.templatesCreateHeader), name: "headerText", type: .text, autocomplete: "off", required: false),
                .div(.class("field"), .label(.for("body"), .text(t(.templatesBody))), .textarea(.id("body"), .name("body"), .required(true))),
                .div(.class("field"), .label(.for("examples"), .text(t(.templatesCreateExamples))), .textarea(.id("examples"), .name("examples"))),
                Forms.field(label: t(.templatesCreateFooter), name: "footer", type: .text, autocomplete: "off", required: false),
                .div(.class("field"), .label(.for("quickReplies"), .text(t(.templatesCreateQuickReplies))), .textarea(.id("quickReplies"), .name("quickReplies"))),
                .button(.type(.submit), .class("button-primary"), .text(t(.templatesCreateSubmit)))
            )
        )
    }
}
