/// One problem with one input field, named so that a UI can place it and an API can report it.
public struct FieldError: Error, Equatable, Sendable {
    public var field: String
    public var code: Code
    public var limit: Int?

    public init(field: String, code: Code, limit: Int? = nil) {
        self.field = field
        self.code = code
        self.limit = limit
    }

    public enum Code: String, Sendable {
        case required
        case tooShort = "too_short"
        case tooLong = "too_long"
        case invalidEmail = "invalid_email"
        case notAnInteger = "not_an_integer"
        case outOfRange = "out_of_range"
        case invalidCursor = "invalid_cursor"
        case tooCommon = "too_common"
        case containsEmail = "contains_email"
        case invalidChoice = "invalid_choice"
    }
}

/// Several field problems at once, so a form can show all of them together.
public struct ValidationFailure: Error, Equatable, Sendable {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
}

/// A person's or an organization's display name: trimmed, 1 to 100 characters, no control characters.
public struct DisplayName: Equatable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    public static let maximumLength = 100

    public init(_ raw: String, field: String) throws(FieldError) {
        let trimmed = raw.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw FieldError(field: field, code: .required) }
        guard trimmed.count <= Self.maximumLength else {
            throw FieldError(field: field, code: .tooLong, limit: Self.maximumLength)
        }
        self.value = String(trimmed.unicodeScalars.filter { !$0.properties.generalCategory.isControl })
    }
}

extension Unicode.GeneralCategory {
    var isControl: Bool { self == .control || self == .format }
}
