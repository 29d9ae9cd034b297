import ADSappCore
import Fluent
import Foundation
import Vapor

/// What an organization may do under its plan, asked where a limit bites (invite, connect, import,
/// campaign start, send, AI). Without Stripe every organization is on the unlimited self-hosted
/// plan; with it, the subscription's plan decides, and a payment unpaid past its grace period makes
/// the organization read-only (the inbox stays readable, nothing is sent).
struct BillingAccess: Sendable {
    let settings: BillingSettings
    let now: Date

    struct State: Sendable, Equatable {
        var allowance: PlanAllowance
        var plan: Plan?
        /// Billing is on and the organization has no subscription that pays for a plan.
        var needsPlan: Bool
        /// Since when nothing may be sent (a payment unpaid past its grace period).
        var readOnlySince: Date?
        /// A payment failed: until when everything still works.
        var graceUntil: Date? = nil
    }

    func state(of organizationID: UUID, on database: any Database) async throws -> State {
        guard settings.stripe != nil else { return State(allowance: .unlimited, plan: nil, needsPlan: false, readOnlySince: nil) }
        let account = try await TenantScope(organizationID: organizationID, database: database).query(BillingAccount.self).first()
        guard let account, account.isSubscribed, let plan = account.plan else {
            return State(allowance: .none, plan: nil, needsPlan: true, readOnlySince: nil)
        }
        let readOnly = account.readOnlySince ?? account.graceUntil.flatMap { $0 <= now ? $0 : nil }
        return State(
            allowance: plan.allowance, plan: plan, needsPlan: false, readOnlySince: readOnly,
            graceUntil: account.paymentFailedAt == nil ? nil : account.graceUntil)
    }

    /// Throws unless the organization may send (messages, campaigns, drip steps).
    func requireSending(_ organizationID: UUID, on database: any Database) async throws {
        let state = try await state(of: organizationID, on: database)
        if state.needsPlan { throw BillingRefusal.needsPlan }
        if state.readOnlySince != nil { throw BillingRefusal.readOnly }
    }

    /// Throws unless `adding` more of `limit` fit beside `used` (e.g. one more number beside 3).
    func require(_ limit: BillingLimit, used: Int, adding: Int = 1, for organizationID: UUID, on database: any Database) async throws {
        let state = try await state(of: organizationID, on: database)
        guard let allowed = limit.allowed(by: state.allowance) else { return }
        if used + adding > allowed {
            throw BillingRefusal.limit(limit, allowed: allowed, used: used, plan: state.plan)
        }
    }
}

/// The limits a plan sets.
enum BillingLimit: String, Sendable, Equatable, CaseIterable {
    case seats, numbers, contacts, monthlyMessages, monthlyAICredits

    func allowed(by allowance: PlanAllowance) -> Int? {
        switch self {
        case .seats: allowance.seats
        case .numbers: allowance.numbers
        case .contacts: allowance.contacts
        case .monthlyMessages: allowance.monthlyMessages
        case .monthlyAICredits: allowance.monthlyAICredits
        }
    }
}

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

extension Request {
    var billingAccess: BillingAccess { BillingAccess(settings: context.configuration.billing, now: now) }
}

/// The seat limit of invitations (`PlanLimits`) from the organization's plan.
struct BillingPlanLimits: PlanLimits {
    let settings: BillingSettings
    let now: @Sendable () -> Date

    func seatLimit(organizationID: UUID, on database: any Database) async throws -> SeatLimit {
        let state = try await BillingAccess(settings: settings, now: now()).state(of: organizationID, on: database)
        return SeatLimit(maximumMembers: state.allowance.seats)
    }
}

/// The line every page shows while billing needs attention: no plan, a failed payment, read-only.
enum BillingBanner {
    static func text(for tenant: Tenant, _ request: Request) async throws -> String? {
        guard request.context.configuration.billing.stripe != nil else { return nil }
        let t = request.localizer
        let state = try await request.billingAccess.state(of: tenant.organizationID, on: request.db)
        if state.needsPlan { return t(.billingRefusalNeedsPlan) }
        if state.readOnlySince != nil { return t(.billingRefusalReadOnly) }
        return state.graceUntil.map { t(.billingBannerPastDue, ["date": t.date($0)]) }
    }
}
