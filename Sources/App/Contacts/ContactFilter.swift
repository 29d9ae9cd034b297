import Fluent
import Foundation
import SQLKit
import Vapor

/// The filters of the contact list, of a saved segment, of the CSV export and of campaign audiences.
///
/// In a query string or form the names are: `q` (search), `tag` (repeated), `marketing`,
/// `inbound_after` and `inbound_before` (`yyyy-MM-dd`, UTC), `number` (a connection id),
/// `prefix` (`+31`), and the custom field conditions as three parallel repeated names `field`,
/// `op` and `value` (a row with an empty `field` is skipped, so a form can offer a blank row).
struct ContactFilter: Codable, Sendable, Hashable {
    /// Name, profile name, number or email contains.
    var search: String?
    /// Has every one of these tags.
    var tagIDs: [UUID] = []
    var marketing: MarketingStatus?
    var lastInboundAfter: Date?
    var lastInboundBefore: Date?
    /// Last wrote to this business number.
    var lastInboundConnectionID: UUID?
    /// `+31`: the number starts with these digits.
    var phonePrefix: String?
    /// Custom fields.
    var fields: [FieldCondition] = []

    struct FieldCondition: Codable, Sendable, Hashable {
        var fieldID: UUID
        var op: Op
        var value: String?

        enum Op: String, Codable, Sendable, CaseIterable {
            case equals, notEquals, contains, greaterThan, lessThan, isSet, isNotSet

            /// Whether the condition compares with a value (all but isSet and isNotSet).
            var takesValue: Bool { self != .isSet && self != .isNotSet }
        }
    }

    init(
        search: String? = nil, tagIDs: [UUID] = [], marketing: MarketingStatus? = nil, lastInboundAfter: Date? = nil,
        lastInboundBefore: Date? = nil, lastInboundConnectionID: UUID? = nil, phonePrefix: String? = nil, fields: [FieldCondition] = []
    ) {
        self.search = search
        self.tagIDs = tagIDs
        self.marketing = marketing
        self.lastInboundAfter = lastInboundAfter
        self.lastInboundBefore = lastInboundBefore
        self.lastInboundConnectionID = lastInboundConnectionID
        self.phonePrefix = phonePrefix
        self.fields = fields
    }

    /// Whether the filter selects every contact.
    var isEmpty: Bool { self == ContactFilter() }

    // MARK: - Query strings and forms

    /// From a page's query string (the list page, the export link, the segment editor all use the same names).
    init(query: URLQueryContainer) throws {
        try self.init(items: Self.items(try query.decode(Names.self)))
    }

    /// The form's names, each possibly repeated.
    struct Names: Decodable {
        var q, tag, marketing, inbound_after, inbound_before, number, prefix, field, op, value: [String]?
    }

    /// The decoded names back as name/value pairs.
    static func items(_ names: Names) -> [URLQueryItem] {
        let all: [(String, [String]?)] = [
            ("q", names.q), ("tag", names.tag), ("marketing", names.marketing), ("inbound_after", names.inbound_after),
            ("inbound_before", names.inbound_before), ("number", names.number), ("prefix", names.prefix),
            ("field", names.field), ("op", names.op), ("value", names.value),
        ]
        return all.flatMap { name, values in (values ?? []).map { URLQueryItem(name: name, value: $0) } }
    }

    /// From an url-encoded form body (the segment editor posts the same names).
    init(content: ContentContainer) throws {
        try self.init(items: Self.items(try content.decode(Names.self)))
    }

    /// From the name/value pairs of a query string or an url-encoded form. Bad values are refused
    /// with `400 Bad Request` and a clear reason.
    init(items: [URLQueryItem]) throws {
        func values(_ name: String) -> [String] { items.filter { $0.name == name }.map { $0.value ?? "" } }
        func single(_ name: String) -> String? {
            values(name).lazy.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
        }
        func uuid(_ text: String, _ what: String) throws -> UUID {
            guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
                throw Abort(.badRequest, reason: "\(what) is not an id: \(text.prefix(60))")
            }
            return id
        }
        self.init()
        if let search = single("q") {
            guard search.count <= 200 else { throw Abort(.badRequest, reason: "The search is longer than 200 characters.") }
            self.search = search
        }
        tagIDs = try values("tag").filter { !$0.isEmpty }.map { try uuid($0, "tag") }
        guard tagIDs.count <= 50 else { throw Abort(.badRequest, reason: "At most 50 tags.") }
        if let marketing = single("marketing") {
            guard let status = MarketingStatus(rawValue: marketing) else {
                throw Abort(.badRequest, reason: "marketing must be one of unknown, opted_in, opted_out.")
            }
            self.marketing = status
        }
        lastInboundAfter = try single("inbound_after").map { try Self.date($0, "inbound_after") }
        lastInboundBefore = try single("inbound_before").map { try Self.date($0, "inbound_before") }
        lastInboundConnectionID = try single("number").map { try uuid($0, "number") }
        if let prefix = single("prefix") {
            phonePrefix = try Self.prefix(prefix)
        }
        let fieldIDs = values("field"), ops = values("op"), fieldValues = values("value")
        guard ops.count == fieldIDs.count, fieldValues.count <= fieldIDs.count else {
            throw Abort(.badRequest, reason: "Every field condition needs a field, an op and a value.")
        }
        for (index, fieldText) in fieldIDs.enumerated() where !fieldText.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let op = FieldCondition.Op(rawValue: ops[index]) else {
                throw Abort(.badRequest, reason: "op must be one of \(FieldCondition.Op.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let value = index < fieldValues.count ? fieldValues[index].trimmingCharacters(in: .whitespacesAndNewlines) : ""
            fields.append(FieldCondition(fieldID: try uuid(fieldText, "field"), op: op, value: op.takesValue ? value : nil))
        }
        guard fields.count <= 20 else { throw Abort(.badRequest, reason: "At most 20 field conditions.") }
    }

    /// The same names back, for links (export, keyset next page) and forms.
    var queryItems: [URLQueryItem] {
        var items: [URLQueryItem] = []
        if let search { items.append(URLQueryItem(name: "q", value: search)) }
        items += tagIDs.map { URLQueryItem(name: "tag", value: $0.uuidString) }
        if let marketing { items.append(URLQueryItem(name: "marketing", value: marketing.rawValue)) }
        if let lastInboundAfter { items.append(URLQueryItem(name: "inbound_after", value: Self.text(of: lastInboundAfter))) }
        if let lastInboundBefore { items.append(URLQueryItem(name: "inbound_before", value: Self.text(of: lastInboundBefore))) }
        if let lastInboundConnectionID { items.append(URLQueryItem(name: "number", value: lastInboundConnectionID.uuidString)) }
        if let phonePrefix { items.append(URLQueryItem(name: "prefix", value: phonePrefix)) }
        for condition in fields {
            items.append(URLQueryItem(name: "field", value: condition.fieldID.uuidString))
            items.append(URLQueryItem(name: "op", value: condition.op.rawValue))
            items.append(URLQueryItem(name: "value", value: condition.value ?? ""))
        }
        return items
    }

    /// `+31` from `+31`, `31` or `0031`: the digits a number starts with, shown with a `+`.
    static func prefix(_ text: String) throws -> String {
        var digits = text.filter { !$0.isWhitespace && $0 != "-" }
        if digits.hasPrefix("+") { digits.removeFirst() } else if digits.hasPrefix("00") { digits.removeFirst(2) }
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Abort(.badRequest, reason: "prefix must be a + and up to 15 digits, like +31.")
        }
        return "+" + digits
    }

    private static func date(_ text: String, _ name: String) throws -> Date {
        if let day = ContactFieldDefinition.isoDate(text), let date = dayFormatter.date(from: day) { return date }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        throw Abort(.badRequest, reason: "\(name) is not a date (yyyy-MM-dd): \(text.prefix(40))")
    }

    /// `yyyy-MM-dd` for a UTC midnight, the full ISO 8601 time otherwise.
    static func text(of date: Date) -> String {
        let day = dayFormatter.string(from: date)
        if dayFormatter.date(from: day) == date { return day }
        return date.formatted(.iso8601)
    }

    private static var dayFormatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }

    // MARK: - SQL

    /// The condition for the scope's organization, with its field definitions loaded when the
    /// filter names a field.
    func sqlCondition(in scope: TenantScope) async throws -> SQLQueryString {
        let definitions = fields.isEmpty ? [] : try await ContactDirectory.fieldDefinitions(in: scope)
        return try sqlCondition(organization: scope.organizationID, fields: definitions)
    }

    /// `contacts.organization_id = org AND ...` for `FROM contacts` (alias none), binding every
    /// value. `fields` are the organization's field definitions: a condition on any other field
    /// id (another organization's, a deleted one) is refused. Erased contacts are excluded.
    func sqlCondition(organization: UUID, fields definitions: [ContactFieldDefinition]) throws -> SQLQueryString {
        var parts: [SQLQueryString] = ["contacts.organization_id = \(bind: organization)", "contacts.erased_at IS NULL"]
        if let search, !search.isEmpty {
            let pattern = "%" + Self.likeEscaped(search.lowercased()) + "%"
            var alternatives: [SQLQueryString] = [
                "LOWER(contacts.name) LIKE \(bind: pattern) ESCAPE '\\'",
                "LOWER(contacts.profile_name) LIKE \(bind: pattern) ESCAPE '\\'",
                "LOWER(contacts.email) LIKE \(bind: pattern) ESCAPE '\\'",
            ]
            // A number as people type it: "+31 6 1234", "06-1234".
            let digits = search.filter { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, search.allSatisfy({ ($0.isASCII && $0.isNumber) || " +-().".contains($0) }) {
                alternatives.append("contacts.wa_id LIKE \(bind: "%" + digits + "%")")
            }
            parts.append("(\(SQLList(alternatives, separator: SQLRaw(" OR "))))")
        }
        for tagID in tagIDs {
            parts.append(
                """
                EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = contacts.id \
                AND ct.organization_id = \(bind: organization) AND ct.tag_id = \(bind: tagID))
                """)
        }
        if let marketing { parts.append("contacts.marketing_status = \(bind: marketing.rawValue)") }
        if let lastInboundAfter { parts.append("contacts.last_inbound_at >= \(bind: lastInboundAfter)") }
        if let lastInboundBefore { parts.append("contacts.last_inbound_at < \(bind: lastInboundBefore)") }
        if let lastInboundConnectionID { parts.append("contacts.last_inbound_connection_id = \(bind: lastInboundConnectionID)") }
        if let phonePrefix {
            // A range rather than `LIKE '3161%'`: both databases read it from an index of numbers
            // (`contacts_live_phone` on PostgreSQL) without testing each one. A number is digits
            // only, which every collation orders digit by digit.
            let digits = String(try Self.prefix(phonePrefix).dropFirst())
            parts.append("contacts.wa_id >= \(bind: digits)")
            if let end = Self.firstAfter(prefix: digits) { parts.append("contacts.wa_id < \(bind: end)") }
        }
        for condition in fields {
            guard let definition = definitions.first(where: { $0.id == condition.fieldID && $0.organizationID == organization }) else {
                throw Abort(.badRequest, reason: "Unknown custom field: \(condition.fieldID.uuidString)")
            }
            parts.append(try Self.sql(condition, definition, organization: organization))
        }
        return "\(SQLList(parts.map { "(\($0))" as SQLQueryString }, separator: SQLRaw(" AND ")))"
    }

    /// One custom field condition as EXISTS / NOT EXISTS over `contact_field_values`, comparing the
    /// typed column of the field's type.
    private static func sql(_ condition: FieldCondition, _ definition: ContactFieldDefinition, organization: UUID) throws -> SQLQueryString {
        let fieldID = condition.fieldID
        func values(_ test: SQLQueryString?, negated: Bool = false) -> SQLQueryString {
            let test: SQLQueryString = test.map { " AND \($0)" } ?? ""
            return """
                \(unsafeRaw: negated ? "NOT EXISTS" : "EXISTS") (SELECT 1 FROM contact_field_values fv WHERE fv.contact_id = contacts.id \
                AND fv.organization_id = \(bind: organization) AND fv.field_id = \(bind: fieldID)\(test))
                """
        }
        let refused = Abort(.badRequest, reason: "\(definition.label): \(condition.op.rawValue) does not apply to a \(definition.type.rawValue) field.")
        switch condition.op {
        case .isSet: return values(nil)
        case .isNotSet: return values(nil, negated: true)
        default: break
        }
        let input = condition.value ?? ""
        guard !input.isEmpty else { throw Abort(.badRequest, reason: "\(definition.label): \(condition.op.rawValue) needs a value.") }
        if condition.op == .contains {
            guard definition.type == .text || definition.type == .choice else { throw refused }
            let pattern = "%" + likeEscaped(input.lowercased()) + "%"
            return values("LOWER(fv.text_value) LIKE \(bind: pattern) ESCAPE '\\'")
        }
        let value: FieldValue?
        do { value = try definition.parse(input) } catch { throw Abort(.badRequest, reason: error.description) }
        let test: SQLQueryString
        let ordered = condition.op == .greaterThan || condition.op == .lessThan
        let comparison = condition.op == .greaterThan ? ">" : condition.op == .lessThan ? "<" : "="
        switch value {
        case .number(let number): test = "fv.number_value \(unsafeRaw: comparison) \(bind: number)"
        case .date(let date): test = "fv.date_value \(unsafeRaw: comparison) \(bind: date)"
        case .yesNo(let bool):
            guard !ordered else { throw refused }
            test = "fv.bool_value = \(bind: bool)"
        case .text(let text):
            guard !ordered else { throw refused }
            test = "LOWER(fv.text_value) = \(bind: text.lowercased())"
        case nil: throw Abort(.badRequest, reason: "\(definition.label): \(condition.op.rawValue) needs a value.")
        }
        return values(test, negated: condition.op == .notEquals)
    }

    /// The smallest digit string after every string of digits that starts with `prefix`: `3162` for
    /// `3161`, `317` for `3169`; none for `99`, which only the end of the digits follows.
    static func firstAfter(prefix: String) -> String? {
        var digits = Array(prefix)
        while let last = digits.last, last == "9" { digits.removeLast() }
        guard let last = digits.popLast(), let value = last.wholeNumberValue else { return nil }
        return String(digits) + String(value + 1)
    }

    /// `%`, `_` and `\` taken literally in a `LIKE … ESCAPE '\'` pattern.
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
