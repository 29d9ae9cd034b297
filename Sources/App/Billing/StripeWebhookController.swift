import Fluent
import Foundation
import Jobs
import SQLKit
import Stripe
import Vapor

/// Stripe's webhook, `/api/webhooks/stripe`: the signature over the raw body first, then the event
/// stored once per event id with its processing job, and only then the 200. A repeated delivery is
/// acknowledged without a second job. The event belongs to no organization here: `ProcessStripeEvent`
/// finds one by the customer id Stripe names, or none.
enum StripeWebhookController {
    static let maxBytes = 1 << 20

    static func receive(_ request: Request) async throws -> Response {
        guard let stripe = request.context.configuration.billing.stripe else { throw Abort(.notFound) }
        let body = request.body.data.map { Data($0.readableBytesView) } ?? Data()
        guard body.count <= maxBytes else { throw Abort(.payloadTooLarge) }
        do {
            try StripeSignature.verify(
                body: body, header: request.headers.first(name: StripeSignature.headerName), secrets: stripe.webhookSecrets, now: request.now)
        } catch {
            request.logger.warning("Stripe webhook refused", metadata: ["reason": .string(error.description), "bytes": .stringConvertible(body.count)])
            throw Abort(.badRequest, reason: "The Stripe-Signature header does not verify.")
        }
        let event: StripeEvent
        do {
            event = try StripeEvent(body: body)
        } catch {
            request.logger.warning("Stripe webhook refused: signed, but not an event", metadata: ["error": .string("\(error)")])
            throw Abort(.badRequest, reason: "Not a Stripe event.")
        }
        try await StripeEventStore(database: request.db, jobs: request.jobs).store(event, receivedAt: request.now)
        return Response(status: .ok)
    }
}

/// The Stripe events received: each stored once, by its id, with the job that processes it.
struct StripeEventStore: Sendable {
    let database: any Database
    let jobs: JobStore

    /// Stores a new event and queues its processing, in one transaction; returns false (and does
    /// nothing) for an event already stored.
    @discardableResult
    func store(_ event: StripeEvent, receivedAt: Date) async throws -> Bool {
        let job = try JobStore.NewJob(ProcessStripeEvent.self, .init(eventID: event.id), priority: .high, uniqueKey: "stripe-event:" + event.id)
        return try await database.transaction { transaction in
            // Every organization's events share this table until one is matched: no tenant scope applies yet.
            let inserted = try await transaction.sql.raw(
                """
                INSERT INTO stripe_events (id, type, created, body, received_at) VALUES
                (\(bind: event.id), \(bind: event.type), \(bind: Date(timeIntervalSince1970: TimeInterval(event.created))), \(bind: event.body), \(bind: receivedAt))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """
            ).all()
            guard !inserted.isEmpty else { return false }
            try await jobs.enqueue(job, on: transaction)
            return true
        }
    }
}
