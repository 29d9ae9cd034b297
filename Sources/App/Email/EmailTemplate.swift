import ADSappCore
import Foundation

/// What a feature says in one email; rendered in the recipient's language by one layout (`EmailLayout`).
protocol EmailTemplate: Sendable {
    /// Stable name, e.g. "invitation", "password-reset" (logs, outbox, idempotency).
    var kind: String { get }
    func subject(_ t: Localizer) -> String
    func body(_ t: Localizer) -> EmailBody
}

/// Structured content; the layout turns it into HTML (escaped) and plain text.
struct EmailBody: Sendable, Equatable {
    /// "Hello Anna,"
    var greeting: String?
    var paragraphs: [String]
    /// A button, and the same link written out in the text part.
    var action: EmailAction?
    /// "If you did not ask for this, ignore this email."
    var footnote: String?

    init(greeting: String? = nil, paragraphs: [String], action: EmailAction? = nil, footnote: String? = nil) {
        self.greeting = greeting
        self.paragraphs = paragraphs
        self.action = action
        self.footnote = footnote
    }
}

/// A link the email asks the reader to follow, shown as a button and written out in the text part.
struct EmailAction: Sendable, Equatable {
    var label: String
    var url: String
}

/// Who gets an email, and in which language it is written.
struct EmailRecipient: Sendable, Equatable {
    var email: String
    var name: String?
    var language: Language

    init(email: String, name: String? = nil, language: Language) {
        self.email = email
        self.name = name
        self.language = language
    }

    /// A person with an account: their address and name, in their chosen language, or `fallback`
    /// (the language of the request that sends the mail) when they follow their browser.
    init(_ user: User, fallback: Language) {
        self.init(email: user.email, name: user.name, language: user.language.flatMap(Language.init(rawValue:)) ?? fallback)
    }
}

/// A notification's one-click unsubscribe: the raw token of `/unsubscribe/TOKEN` (stored hashed).
struct EmailUnsubscribe: Sendable, Equatable {
    var token: String
}
