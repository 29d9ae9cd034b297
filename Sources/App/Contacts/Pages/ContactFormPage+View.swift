import Foundation
import SafeHTML

extension ContactFormPage {
    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let title = model.contactID == nil ? t(.contactFormNewTitle) : t(.contactFormEditTitle)
        let action = model.contactID.map { SiteURL.contactEdit(.value($0)).path } ?? SiteURL.newContact.path
        return Layout.page(
            title, chrome,
            .h1(.text(title)),
            Forms.alert(model.error),
            .unwrap(model.duplicateID) { id in
                .p(.id("duplicate-link"), .a(.href(SiteURL.contact(.value(id)).path), .text(t(.contactFormOpenDuplicate))))
            },
            .form(
                .id("contact-form"), .method(.post), .action(action), .class("settings-form"),
                Forms.csrf(chrome.csrfToken),
                Forms.field(label: t(.contactFormName), name: "name", type: .text, value: model.name, autocomplete: "off", required: false),
                Forms.field(
                    label: t(.contactFormPhone), name: "phone", type: .tel, value: model.phone, autocomplete: "off",
                    hint: t(.contactFormPhoneHint, ["country": model.defaultCountry])),
                Forms.field(label: t(.contactFormEmail), name: "email", type: .email, value: model.email, autocomplete: "off", required: false),
                .forEach(model.fields) { field in
                    let name = "fields[\(field.id.uuidString)]"
                    let id = "field-\(field.id.uuidString)"
                    switch field.type {
                    case .choice:
                        return .div(
                            .class("field"), .label(.for(id), .text(field.label)),
                            Forms.select(id: id, name: name, options: [("", "")] + field.choices.map { ($0, $0) }, selected: field.value))
                    case .yesNo:
                        return .div(
                            .class("field"), .label(.for(id), .text(field.label)),
                            Forms.select(
                                id: id, name: name, options: [("", ""), ("yes", t(.contactFormYes)), ("no", t(.contactFormNo))],
                                selected: field.value))
                    case .date:
                        return Forms.field(label: field.label, name: name, id: id, type: .date, value: field.value, autocomplete: "off", required: false)
                    case .number, .text:
                        return Forms.field(label: field.label, name: name, id: id, type: .text, value: field.value, autocomplete: "off", required: false)
                    }
                },
                .button(.type(.submit), .class("button-primary"), .text(t(.contactFormSave))),
                .a(.href(model.contactID.map { SiteURL.contact(.value($0)).path } ?? SiteURL.contacts.path), .text(t(.contactFormCancel)))))
    }
}
