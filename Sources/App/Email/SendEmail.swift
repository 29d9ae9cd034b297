import Foundation
import Jobs
import Mail

/// Sends one rendered email through the configured `Mailer` (`email-notification` queue).
///
/// A transient failure is tried again: after the provider's `Retry-After` when it gives one, else
/// with the worker's exponential backoff. A permanent failure sends the job to the dead letters
/// with the reason (shown on the jobs page), without retries. Logs name the template and the Message-ID, never the recipient.
struct SendEmail: JobHandler {
    struct Payload: Codable, Sendable {
        /// The template's `kind`, for logs.
        var kind: String
        var message: MailMessage
        /// Attempts made by earlier jobs of this message (a job re-queued for a provider's Retry-After).
        var earlierAttempts: Int = 0
    }

    static let kind = "email-notification"
    static let queue: QueueName = .emailNotification
    static let maxAttempts = 8
    /// Room for Resend's timeout, then SMTP's longest conversation when it takes over, and a margin.
    static let timeLimit: Duration = .seconds(EmailDelivery.resendTimeout + EmailDelivery.longestSMTPConversation + 30)
    /// The longest Retry-After honoured; longer ones wait this long.
    static let longestRetryAfter: TimeInterval = 3600

    let mailer: any Mailer
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        let attempt = payload.earlierAttempts + context.attempt
        var logger = context.logger
        logger[metadataKey: "email-kind"] = .string(payload.kind)
        logger[metadataKey: "message-id"] = .string(payload.message.messageID)
        do {
            let receipt = try await mailer.send(payload.message)
            logger.info("email sent", metadata: ["provider": .string(receipt.provider)])
        } catch let error as MailError {
            switch error {
            case .permanent(let reason):
                let reason = EmailRedaction.redacted(reason)
                logger.error("email not sent: the provider refused it", metadata: ["reason": .string(reason)])
                throw JobError.permanent("email not sent: the provider refused it: \(reason)")
            case .transient(let reason, let retryAfter):
                let reason = EmailRedaction.redacted(reason)
                guard attempt < Self.maxAttempts else {
                    logger.error("email not sent: the provider kept failing", metadata: ["reason": .string(reason), "attempts": "\(attempt)"])
                    // Counted over every job of this message: this job's own attempts may be fewer.
                    throw JobError.permanent("email not sent after \(attempt) attempts: \(reason)")
                }
                guard let retryAfter, retryAfter > 0 else { throw EmailDeliveryFailed(reason: reason) }
                // The provider said when: a new job waits that long, carrying the attempts made so far.
                let next = try JobStore.NewJob(
                    SendEmail.self, Payload(kind: payload.kind, message: payload.message, earlierAttempts: attempt),
                    runAt: now().addingTimeInterval(min(retryAfter, Self.longestRetryAfter)), organizationID: context.organizationID)
                logger.warning("email delayed: the provider asked to wait", metadata: ["reason": .string(reason), "seconds": "\(Int(retryAfter))"])
                try await context.complete { database in
                    try await JobStore(database: database, now: now).enqueue([next], on: database)
                }
            }
        }
    }
}

/// A transient failure, as the job records it: without the recipient's address.
struct EmailDeliveryFailed: Error, CustomStringConvertible {
    var reason: String
    var description: String { "email not sent (will retry): \(reason)" }
}

enum EmailRedaction {
    /// The reason with every email address in it replaced: providers quote the refused recipient.
    static func redacted(_ reason: String) -> String {
        String(reason.replacing(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/, with: "[address]").prefix(500))
    }
}
