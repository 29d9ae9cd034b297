import Foundation
import Vapor

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
