import Foundation

/// A request body as Stripe reads it: `application/x-www-form-urlencoded`, nested objects and lists
/// spelled with brackets (`line_items[0][price]=price_1`, `metadata[organization]=...`), in the
/// order they were added.
public struct StripeForm: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(_ pairs: KeyValuePairs<String, String?>) {
        for (name, value) in pairs { self[name] = value }
    }

    /// Sets (or, with nil, leaves out) a field; a name set twice keeps its first place and the last value.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name == name }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.name == name }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(Field(name: name, value: newValue))
            }
        }
    }

    public var encoded: String {
        fields.map { Self.escape($0.name) + "=" + Self.escape($0.value) }.joined(separator: "&")
    }

    /// Percent-encodes all but RFC 3986's unreserved characters (a space is `%20`, brackets `%5B`/`%5D`).
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Reads a body back into its fields (the fake's side), `+` as a space as HTML forms send it.
    public static func decode(_ body: String) -> StripeForm {
        var form = StripeForm()
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            form[unescape(parts[0])] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return form
    }
}
