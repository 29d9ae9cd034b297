import Foundation

/// How the app reaches an OpenAI-compatible model provider (`OPENROUTER_*`), or `nil` without a key.
public struct AISettings: Sendable, Equatable {
    /// `OPENROUTER_BASE_URL` (default https://openrouter.ai/api/v1; any compatible provider; plain http only on loopback).
    public var baseURL: URL
    /// `OPENROUTER_API_KEY`: the platform's key.
    public var apiKey: String
    /// `OPENROUTER_DEFAULT_MODEL` (anthropic/claude-3.5-sonnet) and `OPENROUTER_FALLBACK_MODEL` (anthropic/claude-3-haiku).
    public var defaultModel: String
    public var fallbackModel: String?
    /// `OPENROUTER_MAX_TOKENS` (1,024) and `OPENROUTER_TEMPERATURE` (0.7).
    public var maxTokens: Int
    public var temperature: Double
    /// `AI_MONTHLY_BUDGET_USD` (10): what one organization's AI may cost a calendar month, in the provider's dollars.
    public var monthlyBudget: Double
    /// The most a budget may be, the server's or an organization's with its own key.
    static let maxBudget = 1_000_000.0

    static func load(_ value: (String) -> String?) throws(ConfigurationError) -> AISettings? {
        let maxTokens = try AppConfiguration.integer("OPENROUTER_MAX_TOKENS", value, default: 1_024, range: 1...32_000)
        func decimal(_ name: String, default fallback: Double, range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
            guard let raw = value(name) else { return fallback }
            guard let number = Double(raw), range.contains(number) else {
                throw ConfigurationError(variable: name, problem: "must be a number from \(range.lowerBound) to \(range.upperBound), got \"\(raw)\"")
            }
            return number
        }
        let temperature = try decimal("OPENROUTER_TEMPERATURE", default: 0.7, range: 0...2)
        let budget = try decimal("AI_MONTHLY_BUDGET_USD", default: 10, range: 0...maxBudget)
        guard let apiKey = value("OPENROUTER_API_KEY") else { return nil }
        let raw = value("OPENROUTER_BASE_URL") ?? "https://openrouter.ai/api/v1"
        guard let baseURL = URL(string: raw), let scheme = baseURL.scheme, let host = baseURL.host,
            scheme == "https" || (scheme == "http" && AppConfiguration.loopbackHosts.contains(host))
        else {
            throw ConfigurationError(
                variable: "OPENROUTER_BASE_URL",
                problem: "must be an https URL (plain http only on a loopback address: the key must not cross a network in the clear), got \"\(raw)\"")
        }
        return AISettings(
            baseURL: baseURL, apiKey: apiKey, defaultModel: value("OPENROUTER_DEFAULT_MODEL") ?? "anthropic/claude-3.5-sonnet",
            fallbackModel: value("OPENROUTER_FALLBACK_MODEL") ?? "anthropic/claude-3-haiku", maxTokens: maxTokens, temperature: temperature,
            monthlyBudget: budget)
    }
}
