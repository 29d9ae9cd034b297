/// A checked object key: a relative path of segments made of `A-Z a-z 0-9 . _ -`, joined by `/`.
///
/// No empty segment (so no leading, trailing or double `/`), no `.` or `..` segment, at most 512
/// bytes. Keys this narrow mean the same thing on every store: they are safe as file paths under
/// a root directory and need no escaping in an S3 URL or signature.
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    public static let maxLength = 512

    public init(_ value: String) throws {
        func refuse(_ reason: String) -> ObjectStoreError { .invalidKey(value, reason: reason) }
        guard !value.isEmpty else { throw refuse("it is empty") }
        guard value.utf8.count <= Self.maxLength else { throw refuse("it is longer than \(Self.maxLength) bytes") }
        guard !value.hasPrefix("/") else { throw refuse("it starts with \"/\"; keys are relative") }
        guard value.utf8.allSatisfy(Self.isAllowed) else {
            throw refuse("only letters A-Z and a-z, digits, \".\", \"_\", \"-\" and \"/\" are allowed")
        }
        for segment in value.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty else { throw refuse("it has an empty path segment") }
            guard segment != ".", segment != ".." else { throw refuse("\".\" and \"..\" segments are not allowed") }
        }
        self.value = value
    }

    /// The key's segments, for building a file path.
    var segments: [String] { value.split(separator: "/").map(String.init) }

    public var description: String { value }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            true
        default:
            false
        }
    }
}

/// Content types are stored and sent as a header: visible ASCII and spaces, 1 to 255 bytes.
enum ContentType {
    static func check(_ value: String) throws {
        guard !value.isEmpty, value.utf8.count <= 255,
            value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        else {
            throw ObjectStoreError.invalidContentType(value)
        }
    }
}
