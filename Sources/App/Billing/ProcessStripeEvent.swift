import Fluent
import Foundation
import Jobs
import SQLKit
import Stripe

/// Processes one stored Stripe event (`StripeWebhookController`): decides what it changes from
/// Stripe's current state (`BillingEvents`), then writes that, the event's outcome and the job's
/// completion in one transaction, so an event is applied once however often it arrives or the job runs.
struct ProcessStripeEvent: JobHandler {
    struct Payload: Codable, Sendable {
        var eventID: String
    }

    static let kind = "stripe.event"
    static let queue: QueueName = "billing"
    /// Stripe being unreachable is retried with the queue's backoff for a good while.
    static let maxAttempts = 12
    static let timeLimit: Duration = .seconds(180)

    let settings: BillingSettings
    let stripe: StripeClient?
    let notices: BillingNotices
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        let rows = try await context.database.sql.raw(
            "SELECT body, processed_at FROM stripe_events WHERE id = \(bind: payload.eventID)"
        ).all()
        guard let row = rows.first, try row.decode(column: "processed_at", as: Date?.self) == nil else { return }
        let event = try StripeEvent(body: try row.decode(column: "body", as: Data.self))
        let decision: BillingEvents.Decision
        if let account = settings.stripe, let stripe {
            let events = BillingEvents(
                settings: settings, account: account, stripe: stripe, notices: notices, database: context.database, now: now)
            decision = try await events.decide(event)
        } else {
            decision = .init(outcome: "ignored: billing is not configured")
        }
        let at = now()
        context.logger.info(
            "Stripe event processed", metadata: ["event": .string(event.id), "type": .string(event.type), "outcome": .string(decision.outcome)])
        try await context.complete { database in
            try await decision.writes(database)
            try await database.sql.raw(
                """
                UPDATE stripe_events SET processed_at = \(bind: at), organization_id = \(bind: decision.organizationID), outcome = \(bind: String(decision.outcome.prefix(500)))
                WHERE id = \(bind: event.id) AND processed_at IS NULL
                """
            ).run()
        }
    }
}
