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
                    TemplateVariableForm.html(
                        text: text, variables: model.variables, sources: model.sources, headerMedia: model.needsHeaderMedia,
                        headerMediaLink: model.headerMedia, t),
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
