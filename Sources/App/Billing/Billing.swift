import AsyncHTTPClient
import Foundation
import Stripe

/// How the app reaches Stripe.
enum Billing {
    /// Where the billing page's buttons lead: Stripe's Checkout and customer portal, or the pages of
    /// the loopback fake that `STRIPE_API_BASE` names.
    static func hostedPageOrigins(_ account: BillingSettings.StripeAccount) -> [String] {
        var origins = ["https://checkout.stripe.com", "https://billing.stripe.com"]
        if account.apiBase.host != "api.stripe.com", let scheme = account.apiBase.scheme, let host = account.apiBase.host {
            origins.append("\(scheme)://\(host)" + (account.apiBase.port.map { ":\($0)" } ?? ""))
        }
        return origins
    }

    /// The API client for the configured account; `nil` without Stripe.
    static func stripeClient(_ settings: BillingSettings) -> StripeClient? {
        settings.stripe.map { StripeClient(StripeConfiguration(secretKey: $0.secretKey, baseURL: $0.apiBase.absoluteString), client: .shared) }
    }
}
