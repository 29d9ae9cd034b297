import Foundation
import SafeHTML

extension SegmentFormPage {
    /// "1 contact", "12 contacts".
    static func countText(_ count: Int, _ t: Localizer) -> String {
        count == 1 ? t(.segmentsCountOne) : t(.segmentsCountMany, ["count": String(count)])
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let title = model.segmentID == nil ? t(.segmentsNew) : t(.segmentFormEditTitle)
        let action = model.segmentID.map { SiteURL.segment(.value($0)).path } ?? SiteURL.segmentNew.path
        // The saved conditions, then a blank row for one more.
        let conditions = model.filter.conditions.map { Optional($0) } + [nil]
        return Layout.page(
            title, chrome,
            .p(.a(.href(SiteURL.segments.path), .text(t(.segmentsTitle)))),
            .h1(.text(title)),
            Forms.alert(model.error),
            .form(
                .id("segment-form"), .method(.post), .action(action), .class("panel"), .attribute(named: "novalidate"),
                Forms.csrf(chrome.csrfToken),
                Forms.field(
                    label: t(.segmentFormName), name: "name", type: .text, value: model.name, autocomplete: "off", error: model.nameError,
                    hint: t(.segmentFormNameHint)),
                .h2(.text(t(.segmentFormFilter))),
                .div(.class("filter-form"), ContactFilterControls.nodes(model.filter, conditions: conditions, options: model.options, t)),
                .p(
                    .class("segment-count"),
                    .text(t(.segmentFormCountLabel) + " "),
                    .strong(
                        .id("segment-count"), .attribute(named: "role", value: "status"), .attribute(named: "aria-live", value: "polite"),
                        .data(named: "source", value: SiteURL.segmentCount.path), .data(named: "one", value: t(.segmentsCountOne)),
                        .data(named: "many", value: t(.segmentsCountMany)), .data(named: "invalid", value: t(.segmentsCountUnavailable)),
                        .unwrap(model.count) { .data(named: "count", value: String($0)) },
                        .text(model.count.map { countText($0, t) } ?? t(.segmentsCountUnavailable))),
                    .text(" "),
                    .a(
                        .id("segment-contacts-link"), .href(model.contactsURL), .data(named: "base", value: SiteURL.contacts.path),
                        .text(t(.segmentsShowContacts)))),
                .p(
                    .class("actions"),
                    .button(.type(.submit), .class("button-primary"), .text(t(.segmentFormSave))),
                    .text(" "),
                    // Without JavaScript the count follows the filter on this button; segments.js hides it. After
                    // Save, so Enter in a field still saves (a form's first submit button is its default).
                    .button(.type(.submit), .id("segment-recount"), .name("recount"), .value("1"), .class("button-secondary"), .text(t(.segmentFormRecount))),
                    .text(" "),
                    .a(.href(SiteURL.segments.path), .text(t(.segmentFormCancel))),
                    .unwrap(model.segmentID) { id in
                        .group(.text(" "), .a(.href(SiteURL.segmentDelete(.value(id)).path), .class("button button-danger"), .text(t(.segmentsDelete))))
                    })
            ),
            .script(.attribute(named: "type", value: "module"), .src(SiteURL.segmentScript.path))
        )
    }
}
