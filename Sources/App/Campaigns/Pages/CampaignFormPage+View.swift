import Foundation
import SafeHTML

extension CampaignFormPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let options = { (list: [Option]) in list.map { (value: $0.value, label: $0.label) } }
        return Layout.page(
            t(.campaignsNew), chrome,
            .p(.a(.href(SiteURL.campaigns.path), .text(t(.campaignsTitle)))),
            .h1(.text(t(.campaignsNew))),
            Forms.alert(model.error),
            .if(model.numbers.isEmpty, .p(.class("muted"), .id("campaign-no-number"), .text(t(.campaignFormNoNumber)))),
            // Step one: the number and the template decide which variables there are.
            .form(
                .id("campaign-template-form"), .method(.get), .action(SiteURL.campaignNew.path), .class("panel"),
                .label(.id("campaign-number-label"), .for("campaign-number"), .text(t(.campaignFormNumber))),
                Forms.select(
                    id: "campaign-number", name: "connection_id", options: options(model.numbers), selected: model.connectionID,
                    labelledBy: "campaign-number-label"),
                .label(.id("campaign-template-label"), .for("campaign-template"), .text(t(.campaignFormTemplate))),
                .if(
                    model.templates.isEmpty, .p(.class("muted"), .text(t(.campaignFormNoTemplate))),
                    else: Forms.select(
                        id: "campaign-template", name: "template", options: options(model.templates), selected: model.template,
                        labelledBy: "campaign-template-label")),
                .p(.class("actions"), .button(.type(.submit), .class("button-secondary"), .text(t(.campaignFormChoose))))
            ),
            .unwrap(model.templateText) { text in
                .form(
                    .id("campaign-form"), .method(.post), .action(SiteURL.campaignNew.path), .class("panel"), .attribute(named: "novalidate"),
                    Forms.csrf(chrome.csrfToken),
                    .input(.type(.hidden), .name("connection_id"), .value(model.connectionID ?? "")),
                    .input(.type(.hidden), .name("template"), .value(model.template ?? "")),
                    Forms.field(label: t(.campaignFormName), name: "name", type: .text, value: model.name, autocomplete: "off"),
                    .div(
                        .class("template-preview"),
                        .unwrap(text.header) { .p(.strong(.text($0))) },
                        .p(.class("preserve-lines"), .text(text.body)),
                        .unwrap(text.footer) { .p(.class("muted"), .text($0)) }),
                    .if(!model.variables.isEmpty, .h2(.text(t(.campaignFormVariables)))),
                    .forEach(model.variables) { variable in
                        .fieldset(
                            .class("campaign-variable"),
                            .legend(.text(variable.label)),
                            .label(.id("\(variable.key)-source-label"), .for("\(variable.key)-source"), .text(t(.campaignFormSource))),
                            Forms.select(
                                id: "\(variable.key)-source", name: "\(variable.key)_source", options: options(model.sources), selected: variable.source,
                                labelledBy: "\(variable.key)-source-label"),
                            Forms.field(
                                label: t(.campaignFormFixedText), name: "\(variable.key)_text", type: .text, value: variable.text, autocomplete: "off",
                                required: false),
                            Forms.field(
                                label: t(.campaignFormFallback), name: "\(variable.key)_fallback", type: .text, value: variable.fallback, autocomplete: "off",
                                hint: t(.campaignFormFallbackHint), required: false))
                    },
                    .unwrap(model.needsHeaderMedia) { kind in
                        Forms.field(
                            label: t(.campaignFormHeaderMedia, ["kind": kind]), name: "header_media", type: .url, value: model.headerMedia, autocomplete: "off")
                    },
                    .h2(.text(t(.campaignFormAudience))),
                    .label(.id("campaign-segment-label"), .for("campaign-segment"), .text(t(.campaignFormSegment))),
                    Forms.select(
                        id: "campaign-segment", name: "segment_id", options: [(value: "", label: t(.campaignFormNoSegment))] + options(model.segments),
                        selected: model.segmentID ?? "", labelledBy: "campaign-segment-label"),
                    .if(
                        !model.tags.isEmpty,
                        .fieldset(
                            .legend(.text(t(.campaignFormTags))),
                            .forEach(model.tags) { tag in
                                .label(
                                    .class("checkbox"),
                                    .input(.type(.checkbox), .name("tag"), .value(tag.value), .checked(model.tagIDs.contains(tag.value))),
                                    .text(" " + tag.label))
                            })),
                    .p(
                        .class("field-hint"), .text(t(.campaignFormUploadedList) + " "),
                        .a(.href(SiteURL.contactImport.path), .text(t(.campaignFormUploadLink)))),
                    .p(.class("field-hint"), .text(t(.campaignFormConsentHint))),
                    .p(
                        .class("actions"), .button(.type(.submit), .class("button-primary"), .text(t(.campaignFormSave))), .text(" "),
                        .a(.href(SiteURL.campaigns.path), .text(t(.segmentFormCancel))))
                )
            }
        )
    }
}
