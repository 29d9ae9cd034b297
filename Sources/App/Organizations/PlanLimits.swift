import ADSappCore
import Fluent
import Vapor

/// What an organization's plan allows. Billing replaces the unlimited default with its plans;
/// invitations ask it when one is sent and again when one is accepted.
protocol PlanLimits: Sendable {
    func seatLimit(organizationID: UUID, on database: any Database) async throws -> SeatLimit
}

/// No plans yet: every organization may have any number of members.
struct UnlimitedPlanLimits: PlanLimits {
    func seatLimit(organizationID: UUID, on database: any Database) async throws -> SeatLimit { .unlimited }
}

extension Application {
    private struct PlanLimitsKey: StorageKey { typealias Value = any PlanLimits }

    /// The plan limits in force (`UnlimitedPlanLimits` until billing sets its own).
    var planLimits: any PlanLimits {
        get { storage[PlanLimitsKey.self] ?? UnlimitedPlanLimits() }
        set { storage[PlanLimitsKey.self] = newValue }
    }
}

/// The organization has no seat left for one more member (members plus open invitations).
struct SeatLimitReached: Error, Sendable {
    let maximumMembers: Int
}
