import Fluent
import Foundation
import Jobs
import SQLKit
import WhatsAppCloud

/// Processes stored webhook bodies, a batch at a time (the bodies one `WebhookIntake` write stored):
/// every entry and every change of each.
///
/// Idempotent (messages by WhatsApp id, statuses never move back), so a repeated body or a retried
/// job does no harm. One event never holds up the others in its batch:
/// - a body that is not a WhatsApp notification is marked `failed` with the reason at once;
/// - one whose processing fails goes to a follow-up job with backoff, and is marked `failed` after
///   `maxRounds`;
/// - one with a recent status for a message not found (its send may still be saving the WhatsApp
///   id) is tried again the same way, then ignored with a note.
/// Failed events stay visible to operators.
///
/// When the worker falls behind, the queued batches run merged, up to `maxEventsPerRun` events at a
/// time: the cost is mostly per run, so a backlog is worked off faster than it grew.
struct ProcessWhatsAppWebhook: MergeableJobHandler {
    struct Payload: Codable, Sendable {
        var eventIDs: [UUID]
        /// How many times these events were put back for a later try.
        var round: Int

        init(eventIDs: [UUID], round: Int = 0) {
            self.eventIDs = eventIDs
            self.round = round
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            eventIDs = try container.decode([UUID].self, forKey: .eventIDs)
            round = try container.decodeIfPresent(Int.self, forKey: .round) ?? 0
        }
    }

    static let kind = "whatsapp.webhook"
    static let queue: QueueName = .webhookProcessing
    static let maxAttempts = 8
    static let timeLimit: Duration = .seconds(120)
    static let maxRounds = 8
    static let mergeLimit = 32
    static let maxEventsPerRun = 1024

    /// Batches of the same round run together, up to `maxEventsPerRun` events.
    static func merge(_ first: Payload, _ next: Payload) -> Payload? {
        guard first.round == next.round, first.eventIDs.count + next.eventIDs.count <= maxEventsPerRun else { return nil }
        return Payload(eventIDs: first.eventIDs + next.eventIDs, round: first.round)
    }

    let wakeup: JobWakeup
    let inboxWakeUp: Signal
    let now: @Sendable () -> Date

    static let notOurs = "a status for a message this app did not send: ignored"

    struct UnreadableNotification: Error, CustomStringConvertible {
        var description: String
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        let events = try await Self.pendingEvents(payload.eventIDs, on: context.database)
        guard !events.isEmpty else { return }
        let jobs = JobStore(database: context.database, now: now, wakeup: wakeup)
        var batch = WebhookBatch(database: context.database, jobs: jobs, inboxWakeUp: inboxWakeUp, now: now())

        var done: [(event: PendingEvent, notes: [String])] = []
        var failing: [(event: PendingEvent, reason: String)] = []
        for (index, event) in events.enumerated() {
            // Reading a thousand bodies takes tens of milliseconds on one of the few threads that
            // also answer requests: let the acknowledgements waiting for it go first now and then.
            if index % 32 == 31 { await Task.yield() }
            do {
                done.append((event, try await batch.process(event)))
            } catch let error as UnreadableNotification {
                try await finish(event, state: .failed, note: error.description, on: context.database)
                context.logger.error("WhatsApp webhook event unreadable", metadata: ["event": .string(event.id.uuidString), "reason": .string(String(error.description.prefix(300)))])
            } catch {
                failing.append((event, String(describing: error)))
            }
        }
        let collected = batch
        let waiting: [(event: PendingEvent, notes: [String])]
        do {
            waiting = try await commit(collected, done, storingMessages: true, on: context.database)
        } catch {
            // Something in one event spoils the lot: each event's messages are stored on their own,
            // so only the ones at fault wait for another try.
            context.logger.warning("WhatsApp webhook batch stored event by event", metadata: ["reason": .string(String(describing: error).prefix(300).description)])
            var stored: [(event: PendingEvent, notes: [String])] = []
            for item in done {
                do {
                    try await context.database.transaction { try await collected.recordMessages(of: [item.event.id], on: $0) }
                    stored.append(item)
                } catch {
                    failing.append((item.event, String(describing: error)))
                }
            }
            done = stored
            waiting = try await commit(collected, done, storingMessages: false, on: context.database)
        }

        guard !failing.isEmpty || !waiting.isEmpty else { return }
        if payload.round + 1 >= Self.maxRounds {
            for (event, reason) in failing {
                try await finish(event, state: .failed, note: "gave up after \(Self.maxRounds) tries: \(reason)", on: context.database)
            }
            // Still no message for the status: it was sent by something other than this app.
            for (event, notes) in waiting {
                try await finish(event, state: .processed, note: (notes + [Self.notOurs]).joined(separator: "\n"), on: context.database)
            }
            return
        }
        let delay = min(300, pow(2, Double(payload.round + 1)))
        try await jobs.enqueue(.init(
            Self.self, .init(eventIDs: failing.map(\.event.id) + waiting.map(\.event.id), round: payload.round + 1),
            priority: .high, runAt: now().addingTimeInterval(delay)
        ))
    }

    /// Stores the batch's messages (unless that is done), applies its statuses and ends its events,
    /// in one transaction: one commit for the lot. Returns the events whose statuses wait for their
    /// messages.
    private func commit(
        _ batch: WebhookBatch, _ done: [(event: PendingEvent, notes: [String])], storingMessages: Bool, on database: any Database
    ) async throws -> [(event: PendingEvent, notes: [String])] {
        let processedAt = now()
        let eventIDs = Set(done.map(\.event.id))
        return try await database.transaction { transaction in
            if storingMessages { try await batch.recordMessages(of: eventIDs, on: transaction) }
            let statuses = try await batch.applyStatuses(of: eventIDs, on: transaction)
            let finished = done.filter { !statuses.waiting.contains($0.event.id) }.map { event, notes in
                (event: event, notes: statuses.ignored.contains(event.id) ? notes + [Self.notOurs] : notes)
            }
            // Quiet events end together; events with notes keep them.
            let quiet = finished.filter(\.notes.isEmpty).map { $0.event.id }
            if !quiet.isEmpty {
                try await (transaction as! any SQLDatabase).raw("""
                    UPDATE webhook_events SET state = 'processed', processed_at = \(bind: processedAt)
                    WHERE id IN \(SQLGroupExpression(quiet.map { SQLBind($0) }))
                    """).run()
            }
            for (event, notes) in finished where !notes.isEmpty {
                try await finish(event, state: .processed, note: notes.joined(separator: "\n"), on: transaction)
            }
            return done.filter { statuses.waiting.contains($0.event.id) }
        }
    }

    private func finish(_ event: PendingEvent, state: WebhookEvent.State, note: String, on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("""
            UPDATE webhook_events SET state = \(bind: state.rawValue), processed_at = \(bind: now()), error = \(bind: String(note.prefix(2000)))
            WHERE id = \(bind: event.id)
            """).run()
    }

    /// A stored body waiting to be processed. Read with plain SQL: thousands a second pass through here.
    struct PendingEvent: Sendable {
        var id: UUID
        var body: Data
    }

    /// The events of these ids still pending, oldest first. Found by id alone and filtered and
    /// sorted here: given `state = 'pending'`, SQLite walks the state index through the whole
    /// backlog instead of looking the ids up.
    static func pendingEvents(_ ids: [UUID], on database: any Database) async throws -> [PendingEvent] {
        try await (database as! any SQLDatabase).raw("""
            SELECT id, state, received_at, body FROM webhook_events
            WHERE id IN \(SQLGroupExpression(ids.map { SQLBind($0) }))
            """).all().compactMap { row -> (event: PendingEvent, receivedAt: Date)? in
            guard try row.decode(column: "state", as: String.self) == WebhookEvent.State.pending.rawValue else { return nil }
            return (
                PendingEvent(id: try row.decode(column: "id", as: UUID.self), body: try row.decode(column: "body", as: Data.self)),
                try row.decode(column: "received_at", as: Date.self)
            )
        }
        .sorted { $0.receivedAt < $1.receivedAt }
        .map(\.event)
    }
}

/// The work of one batch: events are read one by one; their messages and statuses are collected
/// and written together at the end, per connection.
struct WebhookBatch {
    let database: any Database
    let jobs: JobStore
    let inboxWakeUp: Signal
    let now: Date
    private var connections: [String: WhatsAppConnection?] = [:]
    private var arrivals: [(connection: WhatsAppConnection, arrival: InboundIngest.Arrival, eventID: UUID)] = []
    private var statuses: [(connection: WhatsAppConnection, status: MessageStatus, eventID: UUID)] = []

    init(database: any Database, jobs: JobStore, inboxWakeUp: Signal, now: Date) {
        self.database = database
        self.jobs = jobs
        self.inboxWakeUp = inboxWakeUp
        self.now = now
    }

    private var directory: ConnectionDirectory { ConnectionDirectory(database: database) }

    /// Reads one event: collects its messages and statuses, applies its template and account changes;
    /// returns notes for the operator.
    mutating func process(_ event: ProcessWhatsAppWebhook.PendingEvent) async throws -> [String] {
        let notification: WebhookNotification
        do {
            notification = try WebhookNotification.decode(event.body)
        } catch {
            throw ProcessWhatsAppWebhook.UnreadableNotification(description: "not a WhatsApp notification: \(error)")
        }
        guard notification.object == "whatsapp_business_account" else {
            throw ProcessWhatsAppWebhook.UnreadableNotification(description: "unexpected object \"\(notification.object.prefix(100))\"")
        }
        let templates = TemplateUpdates(directory: directory, now: now)
        var notes: [String] = []
        for entry in notification.entries {
            for change in entry.changes {
                switch change.value {
                case .messages(let value):
                    guard let connection = try await connection(value.metadata.phoneNumberID) else {
                        notes.append("no connection for phone number id \(value.metadata.phoneNumberID)")
                        continue
                    }
                    for message in value.messages {
                        let profile = value.contacts.first { $0.waID != nil && $0.waID == message.from }
                            ?? value.contacts.first { $0.userID != nil && $0.userID == message.fromUserID }
                            ?? (value.contacts.count == 1 ? value.contacts.first : nil)
                        arrivals.append((connection, .init(message: message, profile: profile), event.id))
                    }
                    statuses += value.statuses.map { (connection, $0, event.id) }
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
                        try await connection.save(on: database)
                    }
                case .userPreferences(let preferences):
                    notes.append("stored, not acted on: \(preferences.count) user preference change(s)")
                case .other(let field, _):
                    notes.append("stored, not acted on: field \(field.prefix(100))")
                }
            }
        }
        return notes
    }

    /// Stores the messages collected from these events.
    func recordMessages(of eventIDs: Set<UUID>, on database: any Database) async throws {
        let chosen = arrivals.filter { eventIDs.contains($0.eventID) }
        for group in Dictionary(grouping: chosen, by: { $0.connection.id! }).values {
            let connection = group[0].connection
            let scope = TenantScope(organizationID: connection.organizationID, database: database)
            try await InboundIngest(scope: scope, connectionID: connection.id!, jobs: jobs, events: InboxEventLog(database: database, wakeUp: inboxWakeUp, now: now), now: now).record(group.map(\.arrival))
        }
    }

    /// Applies the statuses collected from these events. A status naming a message this app has not recorded is either
    /// `waiting` (recent: its send job may still be saving the WhatsApp id, so its event is tried
    /// again) or `ignored` (older: the message was sent by something else).
    func applyStatuses(of eventIDs: Set<UUID>, on database: any Database) async throws -> (waiting: Set<UUID>, ignored: Set<UUID>) {
        var waiting: Set<UUID> = [], ignored: Set<UUID> = []
        let chosen = statuses.filter { eventIDs.contains($0.eventID) }
        for group in Dictionary(grouping: chosen, by: { $0.connection.id! }).values {
            let connection = group[0].connection
            let scope = TenantScope(organizationID: connection.organizationID, database: database)
            let unknown = try await StatusIngest(scope: scope, connectionID: connection.id!, events: InboxEventLog(database: database, wakeUp: inboxWakeUp, now: now)).apply(group.map(\.status))
            for item in group where unknown.contains(item.status.id) {
                if now.timeIntervalSince(item.status.timestamp) < 600 { waiting.insert(item.eventID) } else { ignored.insert(item.eventID) }
            }
        }
        return (waiting, ignored.subtracting(waiting))
    }

    private mutating func connection(_ phoneNumberID: String) async throws -> WhatsAppConnection? {
        if let known = connections[phoneNumberID] { return known }
        let found = try await directory.connection(phoneNumberID: phoneNumberID)
        connections[phoneNumberID] = found
        return found
    }

    private static func digits(_ text: String) -> String { text.filter(\.isNumber) }
}
