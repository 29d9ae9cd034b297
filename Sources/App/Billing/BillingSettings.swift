import ADSappCore
import Foundation

/// How billing is set up: with Stripe (`STRIPE_*`), or not at all (the embedded default), when every
/// organization is on the unlimited self-hosted plan.
public struct BillingSettings: Sendable, Equatable {
    public struct StripeAccount: Sendable, Equatable {
        /// `STRIPE_SECRET_KEY`.
        public var secretKey: String
        /// `STRIPE_WEBHOOK_SECRET`: the endpoint's signing secret, or several separated by commas while one is rolled.
        public var webhookSecrets: [String]
        /// `STRIPE_API_BASE` (default https://api.stripe.com; plain http only on a loopback address, for the fake).
        public var apiBase: URL
        /// `STRIPE_STARTER_PRICE_ID`, `STRIPE_PROFESSIONAL_PRICE_ID`, `STRIPE_ENTERPRISE_PRICE_ID`.
        public var prices: [Plan: String]

        public func plan(ofPrice price: String?) -> Plan? {
            guard let price else { return nil }
            return prices.first { $0.value == price }?.key
        }
    }

    public var stripe: StripeAccount?
    /// `BILLING_TRIAL_DAYS` (default 14, 0 for none): the free days a first checkout offers.
    public var trialDays: Int
    /// `BILLING_GRACE_DAYS` (default 7): how long a failed payment leaves the organization as it was
    /// before it becomes read-only.
    public var graceDays: Int

    public static let selfHosted = BillingSettings(stripe: nil, trialDays: 14, graceDays: 7)

    static func load(_ value: (String) -> String?) throws(ConfigurationError) -> BillingSettings {
        let trialDays = try AppConfiguration.integer("BILLING_TRIAL_DAYS", value, default: 14, range: 0...90)
        let graceDays = try AppConfiguration.integer("BILLING_GRACE_DAYS", value, default: 7, range: 0...60)
        guard let secretKey = value("STRIPE_SECRET_KEY") else {
            for name in ["STRIPE_WEBHOOK_SECRET", "STRIPE_STARTER_PRICE_ID", "STRIPE_PROFESSIONAL_PRICE_ID", "STRIPE_ENTERPRISE_PRICE_ID"]
            where value(name) != nil {
                throw ConfigurationError(variable: "STRIPE_SECRET_KEY", problem: "is required when \(name) is set")
            }
            return BillingSettings(stripe: nil, trialDays: trialDays, graceDays: graceDays)
        }
        guard secretKey.hasPrefix("sk_") || secretKey.hasPrefix("rk_") else {
            throw ConfigurationError(variable: "STRIPE_SECRET_KEY", problem: "must be a Stripe secret key (sk_live_..., sk_test_... or a restricted rk_...)")
        }
        func required(_ name: String) throws(ConfigurationError) -> String {
            guard let text = value(name) else { throw ConfigurationError(variable: name, problem: "is required when STRIPE_SECRET_KEY is set") }
            return text
        }
        let secrets = try required("STRIPE_WEBHOOK_SECRET").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !secrets.isEmpty, secrets.allSatisfy({ $0.hasPrefix("whsec_") }) else {
            throw ConfigurationError(
                variable: "STRIPE_WEBHOOK_SECRET", problem: "must be the endpoint's signing secret (whsec_...), or several separated by commas")
        }
        var prices: [Plan: String] = [:]
        for (plan, name) in [
            (Plan.starter, "STRIPE_STARTER_PRICE_ID"), (.professional, "STRIPE_PROFESSIONAL_PRICE_ID"), (.enterprise, "STRIPE_ENTERPRISE_PRICE_ID"),
        ] {
            let price = try required(name)
            guard price.hasPrefix("price_"), !prices.values.contains(price) else {
                throw ConfigurationError(variable: name, problem: "must be a price id (price_...) of its own, got \"\(price)\"")
            }
            prices[plan] = price
        }
        let rawBase = value("STRIPE_API_BASE") ?? "https://api.stripe.com"
        guard let apiBase = URL(string: rawBase), let scheme = apiBase.scheme, let host = apiBase.host,
            scheme == "https" || (scheme == "http" && AppConfiguration.loopbackHosts.contains(host))
        else {
            throw ConfigurationError(
                variable: "STRIPE_API_BASE",
                problem: "must be an https URL (plain http only on a loopback address: the key must not cross a network in the clear), got \"\(rawBase)\"")
        }
        return BillingSettings(
            stripe: StripeAccount(secretKey: secretKey, webhookSecrets: secrets, apiBase: apiBase, prices: prices), trialDays: trialDays,
            graceDays: graceDays)
    }
}
