/// An email address as we store and compare it: trimmed and lower-cased.
///
/// The check is deliberately practical (one `@`, a dotted domain, no spaces, RFC 5321 length limits):
/// the only real proof of an address is a message that arrives.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public var description: String { value }

    public init(_ raw: String, field: String = "email") throws(FieldError) {
        let candidate = raw.trimmingWhitespace().lowercased()
        guard !candidate.isEmpty else { throw FieldError(field: field, code: .required) }
        guard candidate.utf8.count <= 254 else { throw FieldError(field: field, code: .tooLong, limit: 254) }
        let parts = candidate.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let local = parts.first, let domain = parts.last,
            !local.isEmpty, local.utf8.count <= 64,
            domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains(".."),
            !candidate.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," })
        else { throw FieldError(field: field, code: .invalidEmail) }
        self.value = candidate
    }
}
