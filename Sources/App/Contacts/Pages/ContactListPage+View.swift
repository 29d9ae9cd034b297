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

    /// The segment editor, starting from this filter.
    static func saveAsSegmentURL(_ filter: ContactFilter) -> String {
        var components = URLComponents()
        components.queryItems = filter.queryItems
        return SiteURL.segmentNew.path + "?" + (components.percentEncodedQuery ?? "")
    }

    static func html(_ model: Model, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let filter = model.filter
        let values = ContactFilterControls.Values(filter)
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
                // The list offers one custom field condition.
                ContactFilterControls.nodes(
                    values, conditions: [values.conditions.first],
                    options: .init(tags: model.tags, numbers: model.numbers, fields: model.fields), t),
                .button(.type(.submit), .class("button-primary"), .text(t(.contactsFilterApply))),
                .if(!filter.isEmpty, .a(.href(SiteURL.contacts.path), .text(t(.contactsFilterClear)))),
                .if(
                    model.canManage && !filter.isEmpty,
                    .a(.id("save-as-segment"), .href(saveAsSegmentURL(filter)), .text(t(.contactsSaveAsSegment))))),
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
