import ADSappCore
import Vapor

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    /// The language of this request: the signed-in person's choice, then the language cookie,
    /// then the browser's `Accept-Language`, then English.
    var language: Language {
        if let cached = storage[LanguageKey.self] { return cached }
        let chosen = signedIn?.user.language.flatMap { Language(rawValue: $0) }
        let remembered = cookies[Cookies.language].flatMap { Language(rawValue: $0.string) }
        let language =
            chosen ?? remembered
            ?? Language.negotiate(acceptLanguage: headers.first(name: .acceptLanguage))
            ?? .default
        storage[LanguageKey.self] = language
        return language
    }

    var localizer: Localizer { Localizer(language: language, catalog: context.catalog) }
}
