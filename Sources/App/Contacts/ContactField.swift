import Fluent
import Foundation

/// The kinds of custom field an organization can define for its contacts.
enum ContactFieldType: String, Codable, Sendable, CaseIterable {
    case text
    case number
    case date
    case yesNo = "yes_no"
    case choice
}

/// A custom field an organization defined ("Customer number", "Birthday", "Plan").
final class ContactFieldDefinition: Model, TenantOwned, @unchecked Sendable {
    static let schema = "contact_field_definitions"
    static var organizationIDKey: KeyPath<ContactFieldDefinition, FieldProperty<ContactFieldDefinition, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    /// A stable name for CSV columns, the API and template parameters: `customer_number`.
    @Field(key: "key") var key: String
    @Field(key: "label") var label: String
    @Field(key: "type") var type: ContactFieldType
    /// For `.choice`: the allowed values, one per line.
    @OptionalField(key: "choices") var choicesText: String?
    @Field(key: "position") var position: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(organizationID: UUID, key: String, label: String, type: ContactFieldType, choices: [String] = [], position: Int, createdAt: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.key = key
        self.label = label
        self.type = type
        self.choicesText = choices.isEmpty ? nil : choices.joined(separator: "\n")
        self.position = position
        self.createdAt = createdAt
    }

    var choices: [String] { choicesText?.split(separator: "\n").map(String.init) ?? [] }
}

/// A contact's value of one custom field: exactly one of the columns is set, by the field's type.
final class ContactFieldValue: Model, TenantOwned, @unchecked Sendable {
    static let schema = "contact_field_values"
    static var organizationIDKey: KeyPath<ContactFieldValue, FieldProperty<ContactFieldValue, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "field_id") var fieldID: UUID
    /// Text and choice values.
    @OptionalField(key: "text_value") var textValue: String?
    @OptionalField(key: "number_value") var numberValue: Double?
    /// `yyyy-MM-dd`, so dates compare as text on every engine.
    @OptionalField(key: "date_value") var dateValue: String?
    @OptionalField(key: "bool_value") var boolValue: Bool?

    init() {}

    init(organizationID: UUID, contactID: UUID, fieldID: UUID, value: FieldValue) {
        self.id = UUID()
        self.organizationID = organizationID
        self.contactID = contactID
        self.fieldID = fieldID
        self.value = value
    }

    var value: FieldValue? {
        get {
            if let textValue { return .text(textValue) }
            if let numberValue { return .number(numberValue) }
            if let dateValue { return .date(dateValue) }
            if let boolValue { return .yesNo(boolValue) }
            return nil
        }
        set {
            textValue = nil
            numberValue = nil
            dateValue = nil
            boolValue = nil
            switch newValue {
            case .text(let text): textValue = text
            case .number(let number): numberValue = number
            case .date(let date): dateValue = date
            case .yesNo(let bool): boolValue = bool
            case nil: break
            }
        }
    }
}

/// A checked custom field value.
enum FieldValue: Sendable, Equatable, Hashable {
    case text(String)
    case number(Double)
    /// `yyyy-MM-dd`.
    case date(String)
    case yesNo(Bool)

    /// The value as people type it back in (CSV export, forms, template parameters).
    var text: String {
        switch self {
        case .text(let text): text
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .date(let date): date
        case .yesNo(let bool): bool ? "yes" : "no"
        }
    }
}

/// Why a typed value does not fit its field.
struct FieldValueError: Error, Equatable, CustomStringConvertible {
    let field: String
    let reason: String
    var description: String { "\(field): \(reason)" }
}

extension ContactFieldDefinition {
    /// Checks what a person, a CSV cell or an API client gave for this field. Empty text clears
    /// the value (`nil`). Numbers take `.` or `,` as decimal mark; dates are `yyyy-MM-dd`,
    /// `d-M-yyyy` or `d/M/yyyy` (day first, as in Dutch and most of the world); yes/no takes
    /// yes/no, ja/nee, true/false, 1/0; a choice must be one of the choices (case-insensitive).
    func parse(_ input: String) throws(FieldValueError) -> FieldValue? {
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        switch type {
        case .text:
            guard trimmed.count <= 1000 else { throw FieldValueError(field: key, reason: "longer than 1000 characters") }
            return .text(trimmed)
        case .number:
            let normalized = trimmed.replacingOccurrences(of: ",", with: ".")
            guard let number = Double(normalized), number.isFinite else { throw FieldValueError(field: key, reason: "not a number: \(trimmed)") }
            return .number(number)
        case .date:
            guard let date = Self.isoDate(trimmed) else { throw FieldValueError(field: key, reason: "not a date: \(trimmed)") }
            return .date(date)
        case .yesNo:
            switch trimmed.lowercased() {
            case "yes", "y", "ja", "j", "true", "1": return .yesNo(true)
            case "no", "n", "nee", "false", "0": return .yesNo(false)
            default: throw FieldValueError(field: key, reason: "not yes or no: \(trimmed)")
            }
        case .choice:
            guard let choice = choices.first(where: { $0.caseInsensitiveCompare(trimmed) == .orderedSame }) else {
                throw FieldValueError(field: key, reason: "not one of the choices: \(trimmed)")
            }
            return .text(choice)
        }
    }

    /// `yyyy-MM-dd` for the date formats `parse` accepts, if the day exists.
    static func isoDate(_ text: String) -> String? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        guard parts.count == 3, let a = Int(parts[0]), let b = Int(parts[1]), let c = Int(parts[2]) else { return nil }
        let (year, month, day) = parts[0].count == 4 ? (a, b, c) : (c, b, a)
        guard (1...9999).contains(year), parts[0].count == 4 || parts[2].count == 4 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month
        else { return nil }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}
