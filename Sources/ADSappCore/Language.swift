/// A language the product speaks. Every string a person reads exists in each of them.
public enum Language: String, CaseIterable, Codable, Sendable {
    case en
    case nl

    public static let `default`: Language = .en

    /// Picks the best supported language from an `Accept-Language` header value
    /// (RFC 9110 §12.5.4: comma-separated ranges with optional `q` weights).
    public static func negotiate(acceptLanguage header: String?) -> Language? {
        guard let header, !header.isEmpty else { return nil }
        var best: (language: Language, weight: Double)?
        for (index, part) in header.split(separator: ",").enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let range = pieces.first?.lowercased(), !range.isEmpty else { continue }
            var weight = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                weight = Double(parameter.dropFirst(2)) ?? 0
            }
            guard weight > 0 else { continue }
            let primary = range.split(separator: "-").first.map(String.init) ?? range
            guard let language = Language(rawValue: primary) else { continue }
            // Earlier entries win ties, so a tiny penalty keeps header order.
            let adjusted = weight - Double(index) * 1e-6
            if best == nil || adjusted > best!.weight { best = (language, adjusted) }
        }
        return best?.language
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

extension String {
    func trimmingWhitespace() -> String { self[...].trimmingWhitespace() }
}
