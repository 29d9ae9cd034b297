import Foundation
import SafeHTML

extension ContactListPage {
    static func marketingLabel(_ status: MarketingStatus, _ t: Localizer) -> String {
        switch status {
        case .unknown: t(.contactsMarketingUnknown)
        case .optedIn: t(.contactsMarketingOptedIn)
        case .optedOut: t(.contactsMarketingOptedOut)
        }
    }

    static func opLabel(_ op: ContactFilter.FieldCondition.Op, _ t: Localizer) -> String {
        switch op {
        case .equals: t(.contactsOpEquals)
        case .notEquals: t(.contactsOpNotEquals)
        case .contains: t(.contactsOpContains)
        case .greaterThan: t(.contactsOpGreaterThan)
        case .lessThan: t(.contactsOpLessThan)
        case .isSet: t(.contactsOpIsSet)
        case .isNotSet: t(.contactsOpIsNotSet)
        }
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let filter = model.filter
        let condition = filter.fields.first
        let day = { (date: Date?) in date.map { ContactFilter.text(of: $0) } ?? "" }
        return Layout.page(
            t(.contactsTitle), chrome,
            .h1(.text(t(.contactsTitle))),
            .p(
                .class("actions"),
                .if(model.canManage, .a(.href(SiteURL.newContact.path), .class("button button-primary"), .text(t(.contactsNew)))),
                .if(model.canManage, .a(.href(SiteURL.contactImport.path), .class("button"), .text(t(.contactsImport)))),
                .if(model.canManage, .a(.href(model.exportURL), .class("button"), .text(t(.contactsExport)))),
                .if(model.canManage, .a(.href(SiteURL.segments.path), .class("button"), .text(t(.contactsSegments))))),
            Forms.alert(model.error),
            .form(
                .id("contact-filter"), .method(.get), .action(SiteURL.contacts.path), .class("filter-form"),
                .div(
                    .class("field"), .label(.for("q"), .text(t(.contactsSearch))),
                    .input(.type(.search), .id("q"), .name("q"), .value(filter.search ?? ""), .attribute(named: "autocomplete", value: "off"))),
                .if(
                    !model.tags.isEmpty,
                    .fieldset(
                        .legend(.text(t(.contactsFilterTags))),
                        .forEach(model.tags) { tag in
                            .label(
                                .class("checkbox"),
                                .input(.type(.checkbox), .name("tag"), .value(tag.value), .checked(filter.tagIDs.map(\.uuidString).contains(tag.value))),
                                .text(tag.label))
                        })),
                .div(
                    .class("field"), .label(.for("marketing"), .text(t(.contactsFilterMarketing))),
                    Forms.select(
                        id: "marketing", name: "marketing",
                        options: [("", t(.contactsFilterAny))] + MarketingStatus.allCases.map { ($0.rawValue, marketingLabel($0, t)) },
                        selected: filter.marketing?.rawValue ?? "")),
                .div(
                    .class("field"), .label(.for("inbound_after"), .text(t(.contactsFilterInboundAfter))),
                    .input(.type(.date), .id("inbound_after"), .name("inbound_after"), .value(day(filter.lastInboundAfter)))),
                .div(
                    .class("field"), .label(.for("inbound_before"), .text(t(.contactsFilterInboundBefore))),
                    .input(.type(.date), .id("inbound_before"), .name("inbound_before"), .value(day(filter.lastInboundBefore)))),
                .if(
                    !model.numbers.isEmpty,
                    .div(
                        .class("field"), .label(.for("number"), .text(t(.contactsFilterNumber))),
                        Forms.select(
                            id: "number", name: "number", options: [("", t(.contactsFilterAny))] + model.numbers.map { ($0.value, $0.label) },
                            selected: filter.lastInboundConnectionID?.uuidString ?? ""))),
                .div(
                    .class("field"), .label(.for("prefix"), .text(t(.contactsFilterPrefix))),
                    .input(.type(.text), .id("prefix"), .name("prefix"), .value(filter.phonePrefix ?? ""), .placeholder("+31"))),
                .if(
                    !model.fields.isEmpty,
                    .fieldset(
                        .legend(.text(t(.contactsFilterField))),
                        .label(.for("field"), .class("visually-hidden"), .text(t(.contactsFilterField))),
                        Forms.select(
                            id: "field", name: "field", options: [("", t(.contactsFilterAny))] + model.fields.map { ($0.value, $0.label) },
                            selected: condition?.fieldID.uuidString ?? ""),
                        .label(.for("op"), .class("visually-hidden"), .text(t(.contactsFilterOp))),
                        Forms.select(
                            id: "op", name: "op", options: ContactFilter.FieldCondition.Op.allCases.map { ($0.rawValue, opLabel($0, t)) },
                            selected: condition?.op.rawValue ?? ContactFilter.FieldCondition.Op.equals.rawValue),
                        .label(.for("value"), .class("visually-hidden"), .text(t(.contactsFilterValue))),
                        .input(.type(.text), .id("value"), .name("value"), .value(condition?.value ?? "")))),
                .button(.type(.submit), .class("button-primary"), .text(t(.contactsFilterApply))),
                .if(!filter.isEmpty, .a(.href(SiteURL.contacts.path), .text(t(.contactsFilterClear))))),
            .if(
                model.rows.isEmpty, .p(.class("muted"), .id("contacts-empty"), .text(t(.contactsEmpty))),
                else: .div(
                    .class("table-wrap"),
                    .table(
                        .class("data-table"), .id("contacts-table"),
                        .thead(
                            .tr(
                                .th(.text(t(.contactsColumnName))), .th(.text(t(.contactsColumnNumber))), .th(.text(t(.contactsColumnEmail))),
                                .th(.text(t(.contactsColumnTags))), .th(.text(t(.contactsColumnConsent))), .th(.text(t(.contactsColumnLastInbound))))),
                        .tbody(
                            .forEach(model.rows) { row in
                                .tr(
                                    .data(named: "contact-id", value: row.id.uuidString),
                                    .td(.a(.href(SiteURL.contact(.value(row.id)).path), .text(row.name))),
                                    .td(.text(row.phone ?? "")), .td(.text(row.email ?? "")),
                                    .td(.text(row.tags.joined(separator: ", "))),
                                    .td(.text(marketingLabel(row.marketing, t))),
                                    .td(.text(row.lastInboundAt.map { t.dateTime($0) } ?? "")))
                            })))),
            .unwrap(model.nextURL) { .p(.class("pager"), .a(.href($0), .attribute(named: "rel", value: "next"), .text(t(.contactsNextPage)))) }
        )
    }
}
