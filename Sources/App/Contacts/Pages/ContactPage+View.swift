import Foundation
import SafeHTML

extension ContactPage {
    static func sourceLabel(_ source: ConsentSource, _ t: Localizer) -> String {
        switch source {
        case .keyword: t(.contactConsentSourceKeyword)
        case .whatsAppPreferences: t(.contactConsentSourceWhatsApp)
        case .import: t(.contactConsentSourceImport)
        case .agent: t(.contactConsentSourceAgent)
        case .api: t(.contactConsentSourceAPI)
        }
    }

    static func eventLabel(_ kind: ContactEventKind, _ t: Localizer) -> String {
        switch kind {
        case .created: t(.contactEventCreated)
        case .updated: t(.contactEventUpdated)
        case .optedIn: t(.contactEventOptedIn)
        case .optedOut: t(.contactEventOptedOut)
        case .consentCleared: t(.contactEventConsentCleared)
        case .imported: t(.contactEventImported)
        case .merged: t(.contactEventMerged)
        case .tagged: t(.contactEventTagged)
        case .untagged: t(.contactEventUntagged)
        case .fieldChanged: t(.contactEventFieldChanged)
        case .exported: t(.contactEventExported)
        case .erased: t(.contactEventErased)
        }
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let id = Parameter.value(model.id)
        func post(_ url: SiteURL, _ nodes: Node...) -> Node {
            .form(.method(.post), .action(url.path), .class("inline-form"), Forms.csrf(chrome.csrfToken), .group(nodes))
        }
        return Layout.page(
            model.name, chrome,
            .h1(.text(model.name)),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .section(
                .class("panel"), .id("contact-profile"),
                .h2(.text(t(.contactProfile))),
                .dl(
                    .dt(.text(t(.contactFormPhone))), .dd(.text(model.phone ?? "")),
                    .dt(.text(t(.contactFormEmail))), .dd(.text(model.email ?? "")),
                    .unwrap(model.profileName) { .group(.dt(.text(t(.contactProfileName))), .dd(.text($0))) },
                    .dt(.text(t(.contactsColumnLastInbound))), .dd(.text(model.lastInboundAt.map { t.dateTime($0) } ?? "")),
                    .forEach(model.fields) { field in .group(.dt(.text(field.label)), .dd(.text(field.value))) }),
                .if(model.canManage, .p(.a(.href(SiteURL.contactEdit(id).path), .class("button"), .text(t(.contactEdit)))))),
            .section(
                .class("panel"), .id("contact-tags"),
                .h2(.text(t(.contactsColumnTags))),
                .if(model.tags.isEmpty, .p(.class("muted"), .text(t(.contactTagsNone)))),
                .ul(
                    .forEach(model.tags) { tag in
                        .li(
                            .text(tag.name),
                            .if(
                                model.canManage,
                                post(
                                    .contactTags(id), .input(.type(.hidden), .name("tag"), .value(tag.id.uuidString)),
                                    .input(.type(.hidden), .name("action"), .value("remove")),
                                    .button(
                                        .type(.submit), .attribute(named: "aria-label", value: t(.contactTagsRemoveNamed, ["name": tag.name])),
                                        .text(t(.contactTagsRemove))))))
                    }),
                .if(
                    model.canManage && !model.otherTags.isEmpty,
                    post(
                        .contactTags(id), .input(.type(.hidden), .name("action"), .value("add")),
                        .label(.for("add-tag"), .text(t(.contactTagsAdd))),
                        Forms.select(id: "add-tag", name: "tag", options: model.otherTags.map { ($0.id.uuidString, $0.name) }, selected: nil),
                        .button(.type(.submit), .text(t(.contactTagsAddButton)))))),
            .section(
                .class("panel"), .id("contact-consent"),
                .h2(.text(t(.contactConsent))),
                .p(
                    .id("consent-status"), .strong(.text(ContactListPage.marketingLabel(model.marketing, t))),
                    .unwrap(model.marketingSource) { .text(" · " + sourceLabel($0, t)) },
                    .unwrap(model.marketingChangedAt) { .text(" · " + t.dateTime($0)) }),
                .if(
                    model.canManage,
                    post(
                        .contactConsent(id), .label(.for("marketing-status"), .text(t(.contactConsentChange))),
                        Forms.select(
                            id: "marketing-status", name: "status",
                            options: MarketingStatus.allCases.map { ($0.rawValue, ContactListPage.marketingLabel($0, t)) },
                            selected: model.marketing.rawValue),
                        .button(.type(.submit), .text(t(.contactConsentSave)))))),
            .section(
                .class("panel"), .id("contact-conversations"),
                .h2(.text(t(.contactConversations))),
                .if(
                    model.conversations.isEmpty, .p(.class("muted"), .text(t(.contactConversationsNone))),
                    else: .ul(
                        .forEach(model.conversations) { conversation in
                            .li(
                                .a(.href(SiteURL.conversation(.value(conversation.id)).path), .text(conversation.number)),
                                .text(" · " + t.dateTime(conversation.lastMessageAt)),
                                .unwrap(conversation.preview) { .span(.class("muted"), .text(" " + $0)) })
                        }))),
            .section(
                .class("panel"), .id("contact-notes"),
                .h2(.text(t(.contactNotes))),
                .if(
                    model.canManage,
                    post(
                        .contactNotes(id), .label(.for("note-body"), .text(t(.contactNotesAdd))),
                        .textarea(.id("note-body"), .name("body"), .required(true)),
                        .button(.type(.submit), .text(t(.contactNotesSave))))),
                .ul(
                    .forEach(model.notes) { note in
                        .li(.p(.text(note.body)), .p(.class("muted"), .text("\(note.author) · \(t.dateTime(note.createdAt))")))
                    })),
            .section(
                .class("panel"), .id("contact-history"),
                .h2(.text(t(.contactHistory))),
                .ul(
                    .forEach(model.history) { line in
                        .li(
                            .text(t.dateTime(line.createdAt) + " · " + eventLabel(line.kind, t)),
                            .unwrap(line.detail) { .text(": " + $0) },
                            .unwrap(line.actor) { .span(.class("muted"), .text(" (" + $0 + ")")) })
                    })),
            .if(
                model.canManage,
                .section(
                    .class("panel"), .id("contact-merge"),
                    .h2(.text(t(.contactMerge))),
                    .p(.class("field-hint"), .text(t(.contactMergeHint))),
                    .form(
                        .method(.get), .action(SiteURL.contact(id).path), .class("inline-form"),
                        .label(.for("merge-q"), .text(t(.contactMergeSearch))),
                        .input(.type(.search), .id("merge-q"), .name("merge_q"), .value(model.mergeSearch)),
                        .button(.type(.submit), .text(t(.contactMergeFind)))),
                    .ul(
                        .forEach(model.candidates) { candidate in
                            .li(
                                .text(candidate.name + (candidate.phone.map { " " + $0 } ?? "")),
                                post(
                                    .contactMerge(id), .input(.type(.hidden), .name("duplicate"), .value(candidate.id.uuidString)),
                                    .button(
                                        .type(.submit), .attribute(named: "aria-label", value: t(.contactMergeNamed, ["name": candidate.name])),
                                        .text(t(.contactMergeButton)))))
                        }))),
            .section(
                .class("panel"), .id("contact-privacy"),
                .h2(.text(t(.contactPrivacy))),
                .if(model.canManage, post(.contactPrivacyExport(id), .button(.type(.submit), .text(t(.contactPrivacyExport))))),
                .if(model.canErase, .a(.href(SiteURL.contactErase(id).path), .class("button button-danger"), .text(t(.contactPrivacyErase))))),
            .if(
                model.canManage,
                .section(
                    .class("panel"), .id("contact-delete"),
                    post(.contactDelete(id), .button(.type(.submit), .class("button-danger"), .text(t(.contactDelete))))))
        )
    }
}

private typealias Parameter = SiteURL.Parameter
