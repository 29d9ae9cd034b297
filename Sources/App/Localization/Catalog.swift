import ADSappCore
import Foundation
import Synchronization

/// The strings of every language, loaded once from the JSON catalogs in the bundle.
struct Catalog: Sendable {
    let strings: [Language: [String: String]]

    static func loadBundled() throws -> Catalog {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            guard let url = Bundle.module.url(forResource: language.rawValue, withExtension: "json", subdirectory: "Resources/Localization") else {
                throw CatalogError.missingFile(language.rawValue)
            }
            strings[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        return Catalog(strings: strings)
    }

    enum CatalogError: Error { case missingFile(String) }
}

/// Text in one language for one request. `{name}` placeholders are filled from `values`.
struct Localizer: Sendable {
    let language: Language
    let catalog: Catalog

    func callAsFunction(_ key: TextKey, _ values: [String: String] = [:]) -> String {
        // A missing key is caught by `CatalogTests`; showing the key beats crashing a page.
        let text = catalog.strings[language]?[key.rawValue] ?? key.rawValue
        return values.isEmpty ? text : Self.fill(text, values)
    }

    /// The text with each `{name}` of `values` replaced, in one pass: a value is never read for
    /// placeholders itself, and an unknown `{name}` stays as written.
    static func fill(_ text: String, _ values: [String: String]) -> String {
        var result = "", rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            if let value = values[name] {
                result += value
                rest = rest[rest.index(after: close)...]
            } else {
                result += "{"
                rest = rest[rest.index(after: open)...]
            }
        }
        return result + rest
    }

    func role(_ role: Role) -> String {
        switch role {
        case .owner: self(.roleOwner)
        case .admin: self(.roleAdmin)
        case .agent: self(.roleAgent)
        case .viewer: self(.roleViewer)
        }
    }

    func fieldError(_ error: FieldError) -> String {
        let key = TextKey(rawValue: "error.field.\(error.code.rawValue)") ?? .errorFieldInvalidChoice
        return self(key, ["limit": error.limit.map(String.init) ?? ""])
    }

    func date(_ date: Date) -> String {
        format(date, dateStyle: .medium, timeStyle: .none)
    }

    func dateTime(_ date: Date) -> String {
        format(date, dateStyle: .short, timeStyle: .short)
    }

    /// Date formatters cost far more to make than to use (a page of fifty rows made fifty), and
    /// are not `Sendable`: one per language and style, used under a lock.
    private static let formatters = Mutex<[String: DateFormatter]>([:])

    private func format(_ date: Date, dateStyle: DateFormatter.Style, timeStyle: DateFormatter.Style) -> String {
        let key = "\(language.rawValue) \(dateStyle.rawValue) \(timeStyle.rawValue)"
        return Self.formatters.withLock { formatters in
            if let formatter = formatters[key] { return formatter.string(from: date) }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: language == .nl ? "nl_NL" : "en_GB")
            formatter.dateStyle = dateStyle
            formatter.timeStyle = timeStyle
            formatter.timeZone = TimeZone(identifier: "Europe/Amsterdam")
            formatters[key] = formatter
            return formatter.string(from: date)
        }
    }
}
