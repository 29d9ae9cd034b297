import AsyncHTTPClient
import Foundation
import Stripe

/// How the app reaches Stripe.
enum Billing {
    /// The API client for the configured account; `nil` without Stripe.
    static func stripeClient(_ settings: BillingSettings) -> StripeClient? {
        settings.stripe.map { StripeClient(StripeConfiguration(secretKey: $0.secretKey, baseURL: $0.apiBase.absoluteString), client: .shared) }
    }
}
