import ADSappCore
import Foundation
import SafeHTML

extension ContactSettingsPage {
    static func typeLabel(_ type: ContactFieldType, _ t: Localizer) -> String {
        switch type {
        case .text: t(.contactSettingsTypeText)
        case .number: t(.contactSettingsTypeNumber)
        case .date: t(.contactSettingsTypeDate)
        case .yesNo: t(.contactSettingsTypeYesNo)
        case .choice: t(.contactSettingsTypeChoice)
        }
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        func wordsField(_ name: String, label: String, value: String, defaults: String) -> Node {
            .div(
                .class("field"),
                .label(.for(name), .text(label)),
                .p(.id("\(name)-hint"), .class("field-hint"), .text(t(.contactSettingsWordsHint, ["defaults": defaults]))),
                .input(
                    .type(.text), .id(name), .name(name), .value(value), .attribute(named: "autocomplete", value: "off"),
                    .attribute(named: "placeholder", value: defaults), .attribute(named: "aria-describedby", value: "\(name)-hint"),
                    .disabled(!model.canManage)))
        }
        return Layout.page(
            t(.contactSettingsTitle), chrome,
            .h1(.text(t(.contactSettingsTitle))),
            .p(.class("lead"), .text(t(.contactSettingsIntro))),
            Forms.alert(model.notice, kind: "notice"),
            Forms.alert(model.error),
            .if(!model.canManage, .p(.class("muted"), .text(t(.contactSettingsReadOnly)))),
            .section(
                .class("panel"),
                .h2(.text(t(.contactSettingsGeneral))),
                .form(
                    .id("contact-settings-form"), .method(.post), .action(SiteURL.contactSettings.path), .class("settings-form"),
                    Forms.csrf(chrome.csrfToken),
                    .div(
                        .class("field"),
                        .label(.id("default-country-label"), .for("default_country"), .text(t(.contactSettingsCountry))),
                        .p(.class("field-hint"), .text(t(.contactSettingsCountryHint))),
                        Forms.select(
                            id: "default_country", name: "default_country", options: model.countries.map { ($0.value, $0.label) },
                            selected: model.defaultCountry)),
                    wordsField("opt_out_keywords", label: t(.contactSettingsOptOut), value: model.optOutWords, defaults: model.defaultOptOut),
                    wordsField("opt_in_keywords", label: t(.contactSettingsOptIn), value: model.optInWords, defaults: model.defaultOptIn),
                    .if(model.canManage, .button(.type(.submit), .class("button-primary"), .text(t(.contactSettingsSave)))))),
            .section(
                .class("panel"),
                .h2(.text(t(.contactSettingsFields))),
                .if(
                    model.fields.isEmpty, .p(.class("muted"), .text(t(.contactSettingsFieldsEmpty))),
                    else: .div(
                        .class("table-wrap"),
                        .table(
                            .class("data-table"),
                            .thead(
                                .tr(
                                    .th(.text(t(.contactSettingsFieldLabel))), .th(.text(t(.contactSettingsFieldKey))),
                                    .th(.text(t(.contactSettingsFieldType))), .th(.text(t(.contactSettingsFieldChoices))),
                                    .if(model.canManage, .th(.span(.class("visually-hidden"), .text(t(.contactSettingsDelete))))))),
                            .tbody(
                                .forEach(model.fields) { field in
                                    .tr(
                                        .data(named: "field-key", value: field.key),
                                        .td(.text(field.label)), .td(.code(.text(field.key))), .td(.text(typeLabel(field.type, t))),
                                        .td(.text(field.choices.joined(separator: ", "))),
                                        .if(
                                            model.canManage,
                                            .td(
                                                .form(
                                                    .method(.post), .action(SiteURL.contactFieldDelete(.value(field.id)).path), .class("inline-form"),
                                                    Forms.csrf(chrome.csrfToken),
                                                    .button(
                                                        .type(.submit), .class("button-danger"),
                                                        .attribute(named: "aria-label", value: t(.contactSettingsDeleteNamed, ["name": field.label])),
                                                        .text(t(.contactSettingsDelete)))))))
                                })))),
                .if(
                    model.canManage,
                    .group(
                        .h3(.text(t(.contactSettingsNewField))),
                        .form(
                            .id("contact-field-form"), .method(.post), .action(SiteURL.contactFields.path), .class("settings-form"),
                            Forms.csrf(chrome.csrfToken),
                            Forms.field(label: t(.contactSettingsFieldLabel), name: "label", id: "field-label", type: .text, autocomplete: "off"),
                            Forms.field(
                                label: t(.contactSettingsFieldKey), name: "key", id: "field-key", type: .text, autocomplete: "off",
                                hint: t(.contactSettingsFieldKeyHint, ["reserved": ContactSettings.reservedKeys.sorted().joined(separator: ", ")])),
                            .div(
                                .class("field"),
                                .label(.for("field-type"), .text(t(.contactSettingsFieldType))),
                                Forms.select(
                                    id: "field-type", name: "type", options: ContactFieldType.allCases.map { ($0.rawValue, typeLabel($0, t)) },
                                    selected: ContactFieldType.text.rawValue)),
                            .div(
                                .class("field"),
                                .label(.for("field-choices"), .text(t(.contactSettingsFieldChoices))),
                                .p(.id("field-choices-hint"), .class("field-hint"), .text(t(.contactSettingsFieldChoicesHint))),
                                .textarea(.id("field-choices"), .name("choices"), .attribute(named: "aria-describedby", value: "field-choices-hint"))),
                            .button(.type(.submit), .class("button-primary"), .text(t(.contactSettingsAddField)))))))
        )
    }
}
