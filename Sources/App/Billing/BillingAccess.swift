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
        guard settings.stripe != nil else { return state(of: nil) }
        return state(of: try await TenantScope(organizationID: organizationID, database: database).query(BillingAccount.self).first())
    }

    /// The state of an account already read (`nil`: the organization has none yet).
    func state(of account: BillingAccount?) -> State {
        guard settings.stripe != nil else { return State(allowance: .unlimited, plan: nil, needsPlan: false, readOnlySince: nil) }
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
        if state.needsPlan { throw BillingRefusal.needsPlan }
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
