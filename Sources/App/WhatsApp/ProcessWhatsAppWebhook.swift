import Fluent
import Foundation
import Jobs
import WhatsAppCloud

/// Processes one stored webhook body: every entry and every change in it.
///
/// Idempotent (messages by WhatsApp id, statuses never move back), so a repeated body or a retried
/// job does no harm. A body that is not a WhatsApp notification is marked `failed` with the reason,
/// and so is one that still fails on its last attempt: both stay visible to the operator and
/// block nothing behind them.
struct ProcessWhatsAppWebhook: JobHandler {
    struct Payload: Codable, Sendable {
        var eventID: UUID
    }

    static let kind = "whatsapp.webhook"
    static let queue: QueueName = .webhookProcessing
    static let maxAttempts = 8
    static let timeLimit: Duration = .seconds(60)

    /// A status for a message this app has not recorded a WhatsApp id for yet: the send that made it
    /// may still be saving its result. Retried for a while, then ignored.
    struct StatusBeforeSend: Error, CustomStringConvertible {
        var wamid: String
        var description: String { "a status arrived for \(wamid) before its send was recorded; retrying" }
    }

    let wakeup: JobWakeup
    let now: @Sendable () -> Date

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let event = try await WebhookEvent.find(payload.eventID, on: context.database), event.state != .processed else { return }
        do {
            let notes = try await process(event, context: context)
            event.state = .processed
            event.processedAt = now()
            event.error = notes.isEmpty ? nil : String(notes.joined(separator: "\n").prefix(2000))
            try await event.save(on: context.database)
        } catch let error as UnreadableNotification {
            try await markFailed(event, error.description, context: context)
        } catch {
            if context.attempt >= Self.maxAttempts { try? await markFailed(event, String(describing: error), context: context) }
            throw error
        }
    }

    struct UnreadableNotification: Error, CustomStringConvertible {
        var description: String
    }

    private func markFailed(_ event: WebhookEvent, _ reason: String, context: JobContext) async throws {
        event.state = .failed
        event.processedAt = now()
        event.error = String(reason.prefix(2000))
        try await event.save(on: context.database)
        context.logger.error("WhatsApp webhook event failed", metadata: ["event": .string(event.id?.uuidString ?? ""), "reason": .string(String(reason.prefix(300)))])
    }

    /// Returns notes for the operator: changes that were stored but not acted on.
    private func process(_ event: WebhookEvent, context: JobContext) async throws -> [String] {
        let notification: WebhookNotification
        do {
            notification = try WebhookNotification.decode(event.body)
        } catch {
            throw UnreadableNotification(description: "not a WhatsApp notification: \(error)")
        }
        guard notification.object == "whatsapp_business_account" else {
            throw UnreadableNotification(description: "unexpected object \"\(notification.object.prefix(100))\"")
        }
        let directory = ConnectionDirectory(database: context.database)
        let jobs = JobStore(database: context.database, now: now, wakeup: wakeup)
        let templates = TemplateUpdates(directory: directory, now: now())
        var notes: [String] = []
        var waitingStatus: String?

        for entry in notification.entries {
            for change in entry.changes {
                switch change.value {
                case .messages(let value):
                    guard let connection = try await directory.connection(phoneNumberID: value.metadata.phoneNumberID) else {
                        notes.append("no connection for phone number id \(value.metadata.phoneNumberID)")
                        continue
                    }
                    let scope = TenantScope(organizationID: connection.organizationID, database: context.database)
                    let ingest = InboundIngest(scope: scope, connection: connection, jobs: jobs, now: now())
                    for message in value.messages {
                        let profile = value.contacts.first { $0.waID != nil && $0.waID == message.from }
                            ?? value.contacts.first { $0.userID != nil && $0.userID == message.fromUserID }
                            ?? (value.contacts.count == 1 ? value.contacts.first : nil)
                        try await ingest.record(message, profile: profile)
                    }
                    let statuses = StatusIngest(scope: scope, connection: connection, now: now())
                    for status in value.statuses {
                        if try await statuses.apply(status) == .unknownMessage, now().timeIntervalSince(status.timestamp) < 600 {
                            waitingStatus = status.id
                        }
                    }
                    for error in value.errors {
                        notes.append("Meta reported error \(error.code): \(error.title ?? error.message ?? "")")
                    }
                case .templateStatus(let update):
                    try await templates.apply(update, businessAccountID: entry.id)
                case .templateQuality(let update):
                    try await templates.apply(update, businessAccountID: entry.id)
                case .templateCategory(let update):
                    try await templates.apply(update, businessAccountID: entry.id)
                case .phoneNumberQuality(let update):
                    for connection in try await directory.connections(businessAccountID: entry.id)
                    where Self.digits(connection.displayPhoneNumber) == Self.digits(update.displayPhoneNumber) {
                        connection.qualityRating = [update.event, update.currentLimit].compactMap { $0 }.joined(separator: " ")
                        try await connection.save(on: context.database)
                    }
                case .userPreferences(let preferences):
                    notes.append("stored, not acted on: \(preferences.count) user preference change(s)")
                case .other(let field, _):
                    notes.append("stored, not acted on: field \(field.prefix(100))")
                }
            }
        }
        if let waitingStatus, context.attempt < Self.maxAttempts { throw StatusBeforeSend(wamid: waitingStatus) }
        return notes
    }

    private static func digits(_ text: String) -> String { text.filter(\.isNumber) }
}
