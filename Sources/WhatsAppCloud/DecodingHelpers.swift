import Foundation

struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer {
    /// A string that Meta sometimes sends as a number (ids, timestamps, quantities).
    func decodeLenientString(forKey key: Key) throws -> String {
        if let text = try? decode(String.self, forKey: key) { return text }
        if let number = try? decode(Int64.self, forKey: key) { return String(number) }
        if let number = try? decode(Double.self, forKey: key) { return String(number) }
        return try decode(String.self, forKey: key)  // throws the precise error
    }

    func decodeLenientStringIfPresent(forKey key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeLenientString(forKey: key)
    }

    /// A number that may also arrive as a numeric string.
    func decodeLenientDouble(forKey key: Key) throws -> Double {
        if let number = try? decode(Double.self, forKey: key) { return number }
        let text = try decode(String.self, forKey: key)
        guard let number = Double(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\"\(text)\" is not a number")
        }
        return number
    }

    func decodeLenientDoubleIfPresent(forKey key: Key) throws -> Double? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeLenientDouble(forKey: key)
    }

    func decodeLenientIntIfPresent(forKey key: Key) throws -> Int? {
        guard let number = try decodeLenientDoubleIfPresent(forKey: key) else { return nil }
        guard let whole = Int(exactly: number) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(number) is not a whole number")
        }
        return whole
    }

    func decodeLenientBoolIfPresent(forKey key: Key) throws -> Bool? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let flag = try? decode(Bool.self, forKey: key) { return flag }
        switch try decodeLenientString(forKey: key).lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a boolean")
        }
    }

    /// Unix seconds, as a string (webhooks) or a number.
    func decodeUnixTime(forKey key: Key) throws -> Date {
        let text = try decodeLenientString(forKey: key)
        guard let seconds = Double(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\"\(text)\" is not a Unix timestamp")
        }
        return Date(timeIntervalSince1970: seconds)
    }

    func decodeUnixTimeIfPresent(forKey key: Key) throws -> Date? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeUnixTime(forKey: key)
    }

    func decodeArrayIfPresent<T: Decodable>(_ type: [T].Type, forKey key: Key) throws -> [T] {
        guard contains(key), try !decodeNil(forKey: key) else { return [] }
        return try decode(type, forKey: key)
    }
}

/// Decodes a JSON array one element at a time: an element that fails becomes `fallback(raw, error)`
/// (or is dropped when that is nil) instead of failing the whole array.
func decodeEachElement<T: Decodable>(
    _ container: inout UnkeyedDecodingContainer,
    fallback: (JSONValue, any Error) -> T?
) throws -> [T] {
    var elements: [T] = []
    while !container.isAtEnd {
        let elementDecoder = try container.superDecoder()
        do {
            elements.append(try T(from: elementDecoder))
        } catch {
            let raw = (try? JSONValue(from: elementDecoder)) ?? .null
            if let replacement = fallback(raw, error) { elements.append(replacement) }
        }
    }
    return elements
}

func describe(_ error: any Error) -> String {
    guard let decodingError = error as? DecodingError else { return String(describing: error) }
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
    switch decodingError {
    case .typeMismatch(let type, let context): return "\(path(context)): expected \(type). \(context.debugDescription)"
    case .valueNotFound(let type, let context): return "\(path(context)): missing \(type) value"
    case .keyNotFound(let key, let context):
        let prefix = path(context)
        return (prefix.isEmpty ? "" : prefix + ": ") + "missing key \"\(key.stringValue)\""
    case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
    @unknown default: return String(describing: decodingError)
    }
}
