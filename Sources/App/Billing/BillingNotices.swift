import Fluent
import Foundation
import Jobs

/// Emails to an organization's owners about its billing.
struct BillingNotices: Sendable {
    let context: AppContext

    func email(_ notice: BillingEmail.Notice, date: Date?, organizationID: UUID, on database: any Database) async throws {
        guard let organization = try await Organization.find(organizationID, on: database) else { return }
        let owners = try await TenantScope(organizationID: organizationID, database: database).query(Membership.self)
            .filter(\.$role == .owner).with(\.$user).all()
        let queue = EmailQueue(context: context, jobs: JobStore(database: database, now: context.dependencies.now))
        for owner in owners {
            let user = owner.user
            try await queue.enqueue(
                BillingEmail(
                    notice: notice, recipientName: user.name, organizationName: organization.name, date: date.map(BillingEvents.day),
                    billingURL: context.configuration.emailLink(SiteURL.billing.path)),
                to: EmailRecipient(user, fallback: .en), organizationName: organization.name, on: database)
        }
    }
}
