import ADSappCore
import Fluent
import Foundation
import Jobs

/// Finding and keeping an organization's billing account.
enum BillingAccounts {
    /// The account whose Stripe customer this is, across organizations: how a verified Stripe event
    /// finds the only organization it may act on.
    static func find(customer: String, on database: any Database) async throws -> BillingAccount? {
        try await BillingAccount.query(on: database).filter(\.$stripeCustomerID == customer).first()
    }

    /// The organization's account, made on first use.
    static func of(_ scope: TenantScope, now: Date) async throws -> BillingAccount {
        if let found = try await scope.query(BillingAccount.self).first() { return found }
        let account = BillingAccount(organizationID: scope.organizationID, now: now)
        try await account.create(on: scope.database)
        return account
    }

    /// Writes the plan's contact and message limits where campaigns and drips read them.
    static func applyAllowance(_ allowance: PlanAllowance, to organizationID: UUID, on database: any Database) async throws {
        guard let organization = try await Organization.find(organizationID, on: database) else { return }
        organization.planContactLimit = allowance.contacts
        organization.planMonthlyMessages = allowance.monthlyMessages
        try await organization.save(on: database)
    }
}
