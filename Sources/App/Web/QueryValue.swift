import Foundation
import Vapor

extension Request {
    /// The value of a plain `name=value` query parameter, read as `query[String.self, at: name]`
    /// reads it (`+` and percent escapes decoded, the last of a repeated name wins, nil when absent
    /// or undecodable) but without building Vapor's decoded form of the whole query on every call:
    /// the inbox list reads ten parameters per request, and that showed in its profile
    /// (docs/benchmarks.md, section gains).
    func queryValue(_ name: String) -> String? {
        guard let query = url.query else { return nil }
        var found: Substring?
        for pair in query.split(separator: "&") {
            guard let equals = pair.firstIndex(of: "="), Self.formDecoded(pair[..<equals]) == name else { continue }
            found = pair[pair.index(after: equals)...]
        }
        return found.flatMap(Self.formDecoded)
    }

    private static func formDecoded(_ part: Substring) -> String? {
        guard part.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(part) }
        return part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
