import Fluent
import Foundation
import Jobs

/// Ends the grace period of failed payments: an organization still unpaid when its grace is over
/// becomes read-only (its owners are told, an audit line says when). Read-only already bites from
/// `graceUntil` on (`BillingAccess`); this sweep records it and sends the email.
struct EndBillingGrace: JobHandler {
    struct Payload: Codable, Sendable {}

    static let kind = "billing.grace"
    static let queue: QueueName = "billing"

    let notices: BillingNotices
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        let at = now()
        // Every organization's accounts at once: the sweep of a clock, each then changed in its own scope.
        let due = try await BillingAccount.query(on: context.database)
            .filter(\.$graceUntil < at).filter(\.$readOnlySince == nil).filter(\.$paymentFailedAt != nil).all()
        let notices = self.notices
        try await context.complete { database in
            for account in due {
                let scope = TenantScope(organizationID: account.organizationID, database: database)
                guard let current = try await scope.query(BillingAccount.self).filter(\.$readOnlySince == nil).filter(\.$graceUntil < at).first()
                else { continue }
                current.readOnlySince = at
                current.updatedAt = at
                try await current.save(on: database)
                try await BillingAuditLine(
                    organizationID: account.organizationID, at: at, action: "read_only.started",
                    detail: "The grace period ended unpaid: the inbox is read-only until the invoice is paid.", stripeEventID: nil
                ).create(on: database)
                try await notices.email(.readOnly, date: nil, organizationID: account.organizationID, on: database)
            }
        }
    }
}
