/// A validated request for one page of a list: how many items, and where to continue.
public struct PageRequest: Equatable, Sendable {
    public static let defaultLimit = 25
    public static let maximumLimit = 100

    public let limit: Int
    /// Opaque continuation token from the previous page, if any.
    public let cursor: String?

    public init(limit: Int = PageRequest.defaultLimit, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    /// Parses the raw query values. Every malformed value is an error, never a silent default:
    /// `limit=abc`, `limit=-1`, `limit=0` and `limit=100000` are all refused.
    public init(limit rawLimit: String?, cursor rawCursor: String?) throws(ValidationFailure) {
        var errors: [FieldError] = []
        var limit = Self.defaultLimit
        if let rawLimit {
            if let value = Int(rawLimit.trimmingWhitespace()) {
                if (1...Self.maximumLimit).contains(value) {
                    limit = value
                } else {
                    errors.append(FieldError(field: "limit", code: .outOfRange, limit: Self.maximumLimit))
                }
            } else {
                errors.append(FieldError(field: "limit", code: .notAnInteger))
            }
        }
        var cursor: String?
        if let rawCursor {
            let valid =
                !rawCursor.isEmpty && rawCursor.utf8.count <= 200
                && rawCursor.unicodeScalars.allSatisfy {
                    $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "-_=".unicodeScalars.contains($0))
                }
            if valid { cursor = rawCursor } else { errors.append(FieldError(field: "cursor", code: .invalidCursor)) }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        self.limit = limit
        self.cursor = cursor
    }
}
