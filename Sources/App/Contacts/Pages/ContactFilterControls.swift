import Foundation
import SafeHTML
import SQLKit

/// The filter controls of the contact list and of the segment editor: one set of names
/// (`ContactFilter`'s query names), rendered from the values as typed, so a form refused for a bad
/// value shows back exactly what was sent.
enum ContactFilterControls {
    /// A filter's values as the form holds them: text, not yet checked.
    struct Values: Sendable, Equatable {
        struct Condition: Sendable, Equatable {
            var field: String
            var op: String
            var value: String
        }

        var search = ""
        var tags: [String] = []
        var marketing = ""
        var inboundAfter = ""
        var inboundBefore = ""
        var number = ""
        var prefix = ""
        var conditions: [Condition] = []

        init(
            search: String = "", tags: [String] = [], marketing: String = "", inboundAfter: String = "", inboundBefore: String = "",
            number: String = "", prefix: String = "", conditions: [Condition] = []
        ) {
            self.search = search
            self.tags = tags
            self.marketing = marketing
            self.inboundAfter = inboundAfter
            self.inboundBefore = inboundBefore
            self.number = number
            self.prefix = prefix
            self.conditions = conditions
        }

        /// A checked filter's values (a saved segment, the list's query).
        init(_ filter: ContactFilter) {
            self.init(items: filter.queryItems)
        }

        /// The name/value pairs of a query string or a posted form, as typed.
        init(items: [URLQueryItem]) {
            func values(_ name: String) -> [String] { items.filter { $0.name == name }.map { $0.value ?? "" } }
            func single(_ name: String) -> String { values(name).first { !$0.isEmpty } ?? "" }
            search = single("q")
            tags = values("tag").filter { !$0.isEmpty }
            marketing = single("marketing")
            inboundAfter = single("inbound_after")
            inboundBefore = single("inbound_before")
            number = single("number")
            prefix = single("prefix")
            let fields = values("field"), ops = values("op"), fieldValues = values("value")
            conditions = fields.indices.compactMap { index in
                let field = fields[index]
                guard !field.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
                return Condition(
                    field: field, op: index < ops.count ? ops[index] : "", value: index < fieldValues.count ? fieldValues[index] : "")
            }
        }
    }

    /// The tags, numbers and custom fields a filter can choose from.
    struct Options: Sendable {
        var tags: [ContactListPage.Option]
        var numbers: [ContactListPage.Option]
        var fields: [ContactListPage.Option]

        /// The organization's tags, numbers and fields in one statement beside the page's own reads,
        /// two columns each by SQL (model queries cost more CPU than the list they are for), each list
        /// in its own order.
        static func load(in scope: TenantScope) async throws -> Options {
            let rows = try await scope.sql { organization in
                """
                SELECT kind, id, label FROM (
                  SELECT 0 AS kind, id, name AS label, ROW_NUMBER() OVER (ORDER BY name) AS n
                  FROM tags WHERE organization_id = \(bind: organization)
                  UNION ALL
                  SELECT 1, id, display_phone_number, ROW_NUMBER() OVER (ORDER BY created_at, id)
                  FROM whatsapp_connections WHERE organization_id = \(bind: organization)
                  UNION ALL
                  SELECT 2, id, label, ROW_NUMBER() OVER (ORDER BY position, created_at)
                  FROM contact_field_definitions WHERE organization_id = \(bind: organization)
                ) AS options
                ORDER BY kind, n
                """
            }.all()
            var options = Options(tags: [], numbers: [], fields: [])
            for row in rows {
                let option = ContactListPage.Option(
                    value: try row.decode(column: "id", as: UUID.self).uuidString, label: try row.decode(column: "label", as: String.self))
                switch try row.decode(column: "kind", as: Int.self) {
                case 0: options.tags.append(option)
                case 1: options.numbers.append(option)
                default: options.fields.append(option)
                }
            }
            return options
        }
    }

    /// The controls, without the form around them. `conditions` are the custom field rows shown:
    /// the first has the ids `field`, `op`, `value`, the next `field-2`, ... (a nil row is blank).
    static func nodes(_ values: Values, conditions: [Values.Condition?], options: Options, _ t: Localizer) -> Node {
        .group(
            .div(
                .class("field"), .label(.for("q"), .text(t(.contactsSearch))),
                .input(.type(.search), .id("q"), .name("q"), .value(values.search), .attribute(named: "autocomplete", value: "off"))),
            .if(
                !options.tags.isEmpty,
                .fieldset(
                    .legend(.text(t(.contactsFilterTags))),
                    .forEach(options.tags) { tag in
                        .label(
                            .class("checkbox"),
                            .input(.type(.checkbox), .name("tag"), .value(tag.value), .checked(values.tags.contains(tag.value))),
                            .text(tag.label))
                    })),
            .div(
                .class("field"), .label(.for("marketing"), .text(t(.contactsFilterMarketing))),
                Forms.select(
                    id: "marketing", name: "marketing",
                    options: [("", t(.contactsFilterAny))] + MarketingStatus.allCases.map { ($0.rawValue, ContactListPage.marketingLabel($0, t)) },
                    selected: values.marketing)),
            .div(
                .class("field"), .label(.for("inbound_after"), .text(t(.contactsFilterInboundAfter))),
                .input(.type(.date), .id("inbound_after"), .name("inbound_after"), .value(values.inboundAfter))),
            .div(
                .class("field"), .label(.for("inbound_before"), .text(t(.contactsFilterInboundBefore))),
                .input(.type(.date), .id("inbound_before"), .name("inbound_before"), .value(values.inboundBefore))),
            .if(
                !options.numbers.isEmpty,
                .div(
                    .class("field"), .label(.for("number"), .text(t(.contactsFilterNumber))),
                    Forms.select(
                        id: "number", name: "number", options: [("", t(.contactsFilterAny))] + options.numbers.map { ($0.value, $0.label) },
                        selected: values.number))),
            .div(
                .class("field"), .label(.for("prefix"), .text(t(.contactsFilterPrefix))),
                .input(.type(.text), .id("prefix"), .name("prefix"), .value(values.prefix), .placeholder("+31"))),
            .if(
                !options.fields.isEmpty,
                .fieldset(
                    .legend(.text(t(.contactsFilterField))),
                    .forEach(Array(conditions.enumerated())) { index, condition in
                        conditionRow(condition, suffix: index == 0 ? "" : "-\(index + 1)", options: options, t)
                    }))
        )
    }

    private static func conditionRow(_ condition: Values.Condition?, suffix: String, options: Options, _ t: Localizer) -> Node {
        .group(
            .label(.for("field" + suffix), .class("visually-hidden"), .text(t(.contactsFilterField))),
            Forms.select(
                id: "field" + suffix, name: "field", options: [("", t(.contactsFilterAny))] + options.fields.map { ($0.value, $0.label) },
                selected: condition?.field ?? ""),
            .label(.for("op" + suffix), .class("visually-hidden"), .text(t(.contactsFilterOp))),
            Forms.select(
                id: "op" + suffix, name: "op",
                options: ContactFilter.FieldCondition.Op.allCases.map { ($0.rawValue, ContactListPage.opLabel($0, t)) },
                selected: condition?.op ?? ContactFilter.FieldCondition.Op.equals.rawValue),
            .label(.for("value" + suffix), .class("visually-hidden"), .text(t(.contactsFilterValue))),
            .input(.type(.text), .id("value" + suffix), .name("value"), .value(condition?.value ?? ""))
        )
    }
}
