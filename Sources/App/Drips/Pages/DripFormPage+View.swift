import Foundation
import SafeHTML

extension DripFormPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let values = model.values
        let options = { (list: [CampaignFormPage.Option]) in list.map { (value: $0.value, label: $0.label) } }
        let none = [(value: "", label: t(.dripFormNone))]
        let title = model.editing == nil ? t(.dripsNew) : t(.dripFormEditTitle)
        let action = model.editing.map { SiteURL.dripEdit(.value($0)).path } ?? SiteURL.dripNew.path
        return Layout.page(
            title, chrome,
            .p(.a(.href(SiteURL.drips.path), .text(t(.dripsTitle)))),
            .h1(.text(title)),
            Forms.alert(model.error),
            .if(model.numbers.isEmpty, .p(.class("muted"), .id("drip-no-number"), .text(t(.campaignFormNoNumber)))),
            .form(
                .id("drip-form"), .method(.post), .action(action), .class("panel"), .attribute(named: "novalidate"),
                Forms.csrf(chrome.csrfToken),
                Forms.field(label: t(.campaignFormName), name: "name", type: .text, value: values.name, autocomplete: "off"),
                .label(.id("drip-number-label"), .for("drip-number"), .text(t(.campaignFormNumber))),
                Forms.select(
                    id: "drip-number", name: "connection_id", options: options(model.numbers), selected: values.connectionID,
                    labelledBy: "drip-number-label"),
                .h2(.text(t(.dripFormEnrolment))),
                .label(.id("drip-segment-label"), .for("drip-segment"), .text(t(.campaignFormSegment))),
                Forms.select(
                    id: "drip-segment", name: "segment_id", options: none + options(model.segments), selected: values.segmentID ?? "",
                    labelledBy: "drip-segment-label"),
                .label(.id("drip-tag-label"), .for("drip-tag"), .text(t(.dripFormTag))),
                Forms.select(
                    id: "drip-tag", name: "tag_id", options: none + options(model.tags), selected: values.tagID ?? "", labelledBy: "drip-tag-label"),
                .label(
                    .class("checkbox"), .input(.type(.checkbox), .name("on_tag_added"), .value("1"), .checked(values.onTagAdded)),
                    .text(" " + t(.dripFormOnTagAdded))),
                .h2(.text(t(.dripFormExit))),
                .label(
                    .class("checkbox"), .input(.type(.checkbox), .name("exit_on_reply"), .value("1"), .checked(values.exitOnReply)),
                    .text(" " + t(.dripFormExitOnReply))),
                .label(.id("drip-exit-tag-label"), .for("drip-exit-tag"), .text(t(.dripFormExitTag))),
                Forms.select(
                    id: "drip-exit-tag", name: "exit_tag_id", options: none + options(model.tags), selected: values.exitTagID ?? "",
                    labelledBy: "drip-exit-tag-label"),
                .p(.class("field-hint"), .text(t(.dripFormOptOutHint))),
                .h2(.text(t(.dripFormWindow))),
                .fieldset(
                    .legend(.text(t(.dripFormDays))),
                    .forEach(Array(zip(DripActions.dayNames, DripSendWindow.dayLabels))) { name, label in
                        .label(
                            .class("checkbox"), .input(.type(.checkbox), .name("day"), .value(name), .checked(values.days.contains(name))),
                            .text(" " + t(label)))
                    }),
                Forms.field(label: t(.dripFormStart), name: "start", type: .time, value: values.start, autocomplete: "off", required: false),
                Forms.field(
                    label: t(.dripFormEnd), name: "end", type: .time, value: values.end, autocomplete: "off", hint: t(.dripFormWindowHint),
                    required: false),
                .p(
                    .class("actions"), .button(.type(.submit), .class("button-primary"), .text(t(.campaignFormSave))), .text(" "),
                    .a(.href(model.editing.map { SiteURL.drip(.value($0)).path } ?? SiteURL.drips.path), .text(t(.segmentFormCancel))))
            )
        )
    }
}
