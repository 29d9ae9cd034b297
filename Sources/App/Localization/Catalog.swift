import ADSappCore
import Foundation

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
        var text = catalog.strings[language]?[key.rawValue] ?? key.rawValue
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
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
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .nl ? "nl_NL" : "en_GB")
        formatter.dateStyle = .medium
        formatter.timeStyle = .none
        formatter.timeZone = TimeZone(identifier: "Europe/Amsterdam")
        return formatter.string(from: date)
    }

    func dateTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .nl ? "nl_NL" : "en_GB")
        formatter.dateStyle = .short
        formatter.timeStyle = .short
        formatter.timeZone = TimeZone(identifier: "Europe/Amsterdam")
        return formatter.string(from: date)
    }
}
