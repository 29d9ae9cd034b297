import ADSappCore
import Foundation

/// Settings → AI assistance (admins): which features are on, the model, the budget, the notes
/// drafts draw on, and this month's usage per feature.
enum AISettingsPage {
    struct FeatureRow: Equatable {
        var feature: AIFeature
        var enabled: Bool
    }

    struct UsageRow: Equatable {
        var feature: AIFeature
        var requests: Int
        var tokens: Int
        var cost: Double
    }

    /// A day's business hours as shown (or as typed, when a refused form comes back): `09:00` or empty.
    struct DayHours: Equatable {
        var day: BusinessHours.Day
        var opens: String
        var closes: String
    }

    /// Automatic answers' guardrails, as shown or typed.
    struct AutoAnswer: Equatable {
        var when: AutoAnswerWhen
        var hours: [DayHours]
        var timeZone: String
        var handoffKeywords: [String]
        /// Percent, 0-100.
        var confidence: String
        var limit: String
    }

    struct Model {
        /// The server has a provider (`OPENROUTER_API_KEY`); without one nothing here takes effect.
        var configured: Bool
        var features: [FeatureRow]
        /// The organization's model and budget, and the platform's they fall back to.
        var model: String?
        var defaultModel: String?
        var budget: Double?
        /// The budget as typed, when a refused form comes back (it may not be a number).
        var budgetText: String?
        var platformBudget: Double?
        var knowledge: String
        /// The conversation categories, one a line.
        var categories: [String]
        var autoAnswer: AutoAnswer
        /// The organization pays the provider with its own key (never shown again once saved).
        var hasOwnKey: Bool
        /// This month: a row per feature in use, most expensive first.
        var usage: [UsageRow]
        var spent: Double
        var requests: Int
        var notice: String?
        var error: String?
    }

    /// Provider dollars in the reader's language, to the cent (or a tenth of a cent under a dollar).
    static func dollars(_ value: Double, _ language: Language) -> String {
        let locale = Locale(identifier: language == .nl ? "nl_NL" : "en_US")
        let digits = value < 1 && value > 0 ? 3 : 2
        return Decimal(value).formatted(.currency(code: "USD").precision(.fractionLength(digits)).locale(locale))
    }
}
