import ADSappCore
import Foundation

/// `/settings/billing` (owners): the plan, its usage this month against each limit, the next invoice
/// and the invoices, the buttons to Stripe's checkout and portal, and the billing history. Without
/// Stripe it says the server is self-hosted and unlimited.
enum BillingPage {
    struct Usage: Sendable, Equatable {
        var limit: BillingLimit
        var used: Int
        /// `nil`: no limit.
        var allowed: Int?
    }

    struct Invoice: Sendable, Equatable {
        var number: String
        var date: Date?
        var amount: String
        var status: String
        var url: String?
    }

    enum Standing: Sendable, Equatable {
        case selfHosted
        /// Billing on, no paying subscription.
        case noPlan
        case trialing(until: Date?)
        case active
        case cancelling(at: Date?)
        /// A payment failed: everything works until the grace ends.
        case pastDue(graceUntil: Date?)
        case readOnly(since: Date)
    }

    struct AuditLine: Sendable, Equatable {
        var at: Date
        var action: String
        var detail: String
    }

    struct Model: Sendable {
        var standing: Standing
        var plan: Plan?
        var periodEnd: Date?
        var usage: [Usage]
        var nextInvoice: Invoice?
        var invoices: [Invoice]
        /// The plans one can move to, with what each allows.
        var plans: [Plan]
        var trialDays: Int?
        var hasCustomer: Bool
        var audit: [AuditLine]
        var notice: String?
        var error: String?
    }

    static func planName(_ plan: Plan, _ t: Localizer) -> String {
        switch plan {
        case .starter: t(.billingPlanStarter)
        case .professional: t(.billingPlanProfessional)
        case .enterprise: t(.billingPlanEnterprise)
        }
    }

    static func limitName(_ limit: BillingLimit, _ t: Localizer) -> String {
        switch limit {
        case .seats: t(.billingLimitSeats)
        case .numbers: t(.billingLimitNumbers)
        case .contacts: t(.billingLimitContacts)
        case .monthlyMessages: t(.billingLimitMessages)
        case .monthlyAICredits: t(.billingLimitAICredits)
        }
    }

    /// A count in the reader's language: "10.000" in Dutch, "10,000" in English.
    static func number(_ value: Int, _ language: Language) -> String {
        value.formatted(.number.locale(Locale(identifier: language == .nl ? "nl_NL" : "en_IE")))
    }

    /// An amount in the reader's language: "€ 79,00" in Dutch, "€79.00" in English.
    static func money(_ cents: Int, currency: String, language: Language) -> String {
        let value = Decimal(cents) / 100
        let locale = Locale(identifier: language == .nl ? "nl_NL" : "en_IE")
        return value.formatted(.currency(code: currency.uppercased()).locale(locale))
    }
}
