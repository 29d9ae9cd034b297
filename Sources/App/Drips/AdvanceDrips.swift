import ADSappCore
import Fluent
import Foundation
import Jobs
import SQLKit

/// The background job that moves drip sequences on, every minute and right after an activation:
/// enrols the contacts newly given a sequence's tag, then gives each due contact its next step (or
/// lets them leave). Works a batch at a time across organizations, each contact in its own
/// transaction under its enrolment's row lock.
struct AdvanceDrips: JobHandler {
    struct Payload: Codable, Sendable {}

    static let kind = "drips.advance"
    static let queue: QueueName = "campaigns"
    static let batch = 200
    /// How long a contact whose step failed waits before it is tried again.
    static let retryAfterFailure: TimeInterval = 5 * 60

    let services: WhatsAppServices
    let billing: BillingSettings
    let inboxWakeUp: Signal
    let wakeup: JobWakeup
    let now: @Sendable () -> Date

    /// One run at a time: a second request while one waits is the same run.
    static func job() throws -> JobStore.NewJob {
        try JobStore.NewJob(AdvanceDrips.self, .init(), uniqueKey: "drips:advance")
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        let now = now()
        let database = context.database
        let tagged = try await database.sql.raw(
            """
            SELECT id, organization_id FROM drip_sequences WHERE status = 'active' AND enrol_on_tag_added = \(bind: true)
            """
        ).all()
        for row in tagged {
            let scope = TenantScope(organizationID: try row.decode(column: "organization_id", as: UUID.self), database: database)
            guard let sequence = try await scope.find(DripSequence.self, try row.decode(column: "id", as: UUID.self)) else { continue }
            try await DripEnrolling(scope: scope, now: now).enrolNewlyTagged(in: sequence)
        }

        let due = try await database.sql.raw(
            """
            SELECT drip_enrolments.id, drip_enrolments.organization_id FROM drip_enrolments
            JOIN drip_sequences ON drip_sequences.id = drip_enrolments.sequence_id
            WHERE drip_enrolments.status = 'active' AND drip_enrolments.next_at <= \(bind: now) AND drip_sequences.status = 'active'
            ORDER BY drip_enrolments.next_at LIMIT \(literal: Self.batch)
            """
        ).all()
        let jobs = JobStore(database: database, now: { now }, wakeup: wakeup)
        let access = BillingAccess(settings: billing, now: now)
        var maySend: [UUID: Bool] = [:]
        for row in due {
            let organizationID = try row.decode(column: "organization_id", as: UUID.self)
            let scope = TenantScope(organizationID: organizationID, database: database)
            let enrolmentID = try row.decode(column: "id", as: UUID.self)
            if maySend[organizationID] == nil {
                maySend[organizationID] = (try? await access.requireSending(organizationID, on: database)) != nil
            }
            guard maySend[organizationID] == true else {
                // No plan or an overdue payment: the step waits, and goes out once the organization may send again.
                try await scope.sql { organization in
                    """
                    UPDATE drip_enrolments SET next_at = \(bind: now.addingTimeInterval(RunCampaign.billingWait))
                    WHERE organization_id = \(bind: organization) AND id = \(bind: enrolmentID)
                    """
                }.run()
                continue
            }
            let stepper = DripStepper(scope: scope, jobs: jobs, inboxWakeUp: inboxWakeUp, now: now, logger: context.logger)
            do {
                try await stepper.advance(enrolmentID)
            } catch {
                // Its transaction rolled back: nothing was sent. It waits a little, so one contact that
                // keeps failing does not hold up the others (they come after it, earliest first).
                context.logger.error("drip step failed", metadata: ["enrolment": .string(enrolmentID.uuidString), "error": .string("\(error)")])
                try await scope.sql { organization in
                    """
                    UPDATE drip_enrolments SET next_at = \(bind: now.addingTimeInterval(Self.retryAfterFailure))
                    WHERE organization_id = \(bind: organization) AND id = \(bind: enrolmentID)
                    """
                }.run()
            }
        }
        // More are due than one batch: the next run goes on at once.
        if due.count == Self.batch {
            try await context.releaseUniqueKey()
            try await context.complete { database in try await jobs.enqueue(try Self.job(), on: database) }
        }
    }
}
