import ADSappCore
import Foundation
import Vapor

/// Why billing refuses: each message names the limit and where to change the plan.
enum BillingRefusal: Error, Sendable, Equatable, AbortError {
    case needsPlan
    case readOnly
    case limit(BillingLimit, allowed: Int, used: Int, plan: Plan?)

    var status: HTTPResponseStatus { .paymentRequired }

    var reason: String {
        let link = "Billing: \(SiteURL.billing.path)"
        switch self {
        case .needsPlan: return "This organization has no plan yet. Choose one to go on. \(link)"
        case .readOnly: return "A payment is overdue, so this organization is read-only until it is paid: nothing can be sent. \(link)"
        case .limit(let limit, let allowed, let used, let plan):
            let name = plan.map { "The \($0.rawValue.capitalized) plan" } ?? "Your plan"
            let what: String =
                switch limit {
                case .seats: "\(allowed) members (invitations included); \(used) are taken"
                case .numbers: "\(allowed) WhatsApp numbers; \(used) are connected"
                case .contacts: "\(allowed) contacts; you have \(used)"
                case .monthlyMessages: "\(allowed) business-initiated messages a month; \(used) were sent this month"
                case .monthlyAICredits: "\(allowed) AI credits a month; \(used) were used this month"
                }
            return "\(name) allows \(what). Choose a larger plan to go on. \(link)"
        }
    }

    /// The answer of the API: 402 with a code per refusal and the message above.
    var apiError: APIError {
        let code: String =
            switch self {
            case .needsPlan: "plan_required"
            case .readOnly: "payment_overdue"
            case .limit(let limit, _, _, _): "plan_limit_\(limit.rawValue)"
            }
        return APIError(.paymentRequired, code: code, message: reason)
    }

    /// The text in the reader's language, for pages.
    func text(_ t: Localizer) -> String {
        switch self {
        case .needsPlan: t(.billingRefusalNeedsPlan)
        case .readOnly: t(.billingRefusalReadOnly)
        case .limit(let limit, let allowed, let used, let plan):
            t(
                .billingRefusalLimit,
                [
                    "limit": BillingPage.limitName(limit, t), "allowed": BillingPage.number(allowed, t.language), "used": BillingPage.number(used, t.language),
                    "plan": plan.map { BillingPage.planName($0, t) } ?? "—",
                ])
        }
    }
}
