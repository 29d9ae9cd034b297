import Fluent
import Foundation
import Jobs
import SQLKit
import Vapor
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
/// An event acts only within what its verifier proves (`WebhookVerifier`, DESIGN rule 9): a change
/// naming a number or account its verifier does not cover is refused, written to the event's
/// `refused` column and logged, and the event is marked `failed` so it shows among the failed
/// webhooks at /admin/jobs. The check uses the connections each batch looks up anyway.
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
        var batch = WebhookBatch(database: context.database, jobs: jobs, inboxWakeUp: inboxWakeUp, now: now(), logger: context.logger)

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
                context.logger.error(
                    "WhatsApp webhook event unreadable",
                    metadata: ["event": .string(event.id.uuidString), "reason": .string(String(error.description.prefix(300)))])
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
            context.logger.warning(
                "WhatsApp webhook batch stored event by event", metadata: ["reason": .string(String(describing: error).prefix(300).description)])
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
                try await finish(
                    event, state: .failed, note: "gave up after \(Self.maxRounds) tries: \(reason)", refused: collected.refusals[event.id], on: context.database
                )
            }
            // Still no message for the status: it was sent by something other than this app.
            for (event, notes) in waiting {
                try await finish(event, note: (notes + [Self.notOurs]).joined(separator: "\n"), refused: collected.refusals[event.id], on: context.database)
            }
            return
        }
        let delay = min(300, pow(2, Double(payload.round + 1)))
        try await jobs.enqueue(
            .init(
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
            // Quiet events end together; events with notes or refusals keep them.
            let quiet = finished.filter { $0.notes.isEmpty && batch.refusals[$0.event.id] == nil }.map { $0.event.id }
            if !quiet.isEmpty {
                try await transaction.sql.raw(
                    """
                    UPDATE webhook_events SET state = 'processed', processed_at = \(bind: processedAt)
                    WHERE id IN \(SQLGroupExpression(quiet.map { SQLBind($0) }))
                    """
                ).run()
            }
            for (event, notes) in finished where !notes.isEmpty || batch.refusals[event.id] != nil {
                try await finish(event, note: notes.joined(separator: "\n"), refused: batch.refusals[event.id], on: transaction)
            }
            return done.filter { statuses.waiting.contains($0.event.id) }
        }
    }

    /// Ends an event: `failed` when it was `refused` something (so operators see it), else `processed`.
    private func finish(_ event: PendingEvent, state: WebhookEvent.State? = nil, note: String, refused: [String]? = nil, on database: any Database) async throws
    {
        let refusal = refused.map { String($0.joined(separator: "\n").prefix(2000)) }
        let state = state ?? (refusal == nil ? .processed : .failed)
        let text = ([refusal.map { "refused: \($0)" }, note.isEmpty ? nil : note].compactMap { $0 }).joined(separator: "\n")
        try await database.sql.raw(
            """
            UPDATE webhook_events SET state = \(bind: state.rawValue), processed_at = \(bind: now()),
              error = \(bind: text.isEmpty ? nil : String(text.prefix(2000))), refused = \(bind: refusal)
            WHERE id = \(bind: event.id)
            """
        ).run()
    }

    /// A stored body waiting to be processed. Read with plain SQL: thousands a second pass through here.
    struct PendingEvent: Sendable {
        var id: UUID
        var body: Data
        var verifier: WebhookVerifier
    }

    /// The events of these ids still pending, oldest first. Found by id alone and filtered and
    /// sorted here: given `state = 'pending'`, SQLite walks the state index through the whole
    /// backlog instead of looking the ids up.
    static func pendingEvents(_ ids: [UUID], on database: any Database) async throws -> [PendingEvent] {
        try await database.sql.raw(
            """
            SELECT id, state, received_at, body, verifier_connection_id FROM webhook_events
            WHERE id IN \(SQLGroupExpression(ids.map { SQLBind($0) }))
            """
        ).all().compactMap { row -> (event: PendingEvent, receivedAt: Date)? in
            guard try row.decode(column: "state", as: String.self) == WebhookEvent.State.pending.rawValue else { return nil }
            return (
                PendingEvent(
                    id: try row.decode(column: "id", as: UUID.self), body: try row.decode(column: "body", as: Data.self),
                    verifier: WebhookVerifier(storedConnectionID: try row.decode(column: "verifier_connection_id", as: UUID?.self))
                ),
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
    let logger: Logger
    private var connections: [String: WhatsAppConnection?] = [:]
    private var accounts: [String: [WhatsAppConnection]] = [:]
    /// Per event, what its verifier did not cover: stored on the event for the operator.
    private(set) var refusals: [UUID: [String]] = [:]
    private var arrivals: [(connection: WhatsAppConnection, arrival: InboundIngest.Arrival, eventID: UUID)] = []
    private var statuses: [(connection: WhatsAppConnection, status: MessageStatus, eventID: UUID)] = []

    init(database: any Database, jobs: JobStore, inboxWakeUp: Signal, now: Date, logger: Logger) {
        self.database = database
        self.jobs = jobs
        self.inboxWakeUp = inboxWakeUp
        self.now = now
        self.logger = logger
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
        let templates = TemplateUpdates(database: database, now: now)
        var notes: [String] = []
        refusals[event.id] = nil
        for entry in notification.entries {
            for change in entry.changes {
                switch change.value {
                case .messages(let value):
                    guard let connection = try await connection(value.metadata.phoneNumberID) else {
                        notes.append("no connection for phone number id \(value.metadata.phoneNumberID)")
                        continue
                    }
                    guard event.verifier.covers(connection) else {
                        refuse(event, field: change.field, "phone number id \(value.metadata.phoneNumberID)")
                        continue
                    }
                    for message in value.messages {
                        let profile =
                            value.contacts.first { $0.waID != nil && $0.waID == message.from }
                            ?? value.contacts.first { $0.userID != nil && $0.userID == message.fromUserID }
                            ?? (value.contacts.count == 1 ? value.contacts.first : nil)
                        arrivals.append((connection, .init(message: message, profile: profile), event.id))
                    }
                    statuses += value.statuses.map { (connection, $0, event.id) }
                    for error in value.errors {
                        notes.append("Meta reported error \(error.code): \(error.title ?? error.message ?? "")")
                    }
                case .templateStatus(let update):
                    guard let covered = try await covered(event, account: entry.id, field: change.field) else { continue }
                    try await templates.apply(update, businessAccountID: entry.id, connections: covered)
                case .templateQuality(let update):
                    guard let covered = try await covered(event, account: entry.id, field: change.field) else { continue }
                    try await templates.apply(update, businessAccountID: entry.id, connections: covered)
                case .templateCategory(let update):
                    guard let covered = try await covered(event, account: entry.id, field: change.field) else { continue }
                    try await templates.apply(update, businessAccountID: entry.id, connections: covered)
                case .phoneNumberQuality(let update):
                    guard let covered = try await covered(event, account: entry.id, field: change.field) else { continue }
                    for connection in covered
                    where Self.digits(connection.displayPhoneNumber) == Self.digits(update.displayPhoneNumber) {
                        connection.qualityRating = [update.event, update.currentLimit].compactMap { $0 }.joined(separator: " ")
                        try await connection.save(on: database)
                    }
                case .userPreferences(let preferences):
                    // Only in the organizations of the numbers the verifier proved.
                    guard let covered = try await covered(event, account: entry.id, field: change.field) else { continue }
                    for organizationID in Set(covered.map(\.organizationID)) {
                        let scope = TenantScope(organizationID: organizationID, database: database)
                        try await MarketingPreferences.apply(preferences, in: scope, now: now)
                    }
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
            try await InboundIngest(
                scope: scope, connectionID: connection.id!, jobs: jobs, events: InboxEventLog(database: database, wakeUp: inboxWakeUp, now: now), now: now
            ).record(group.map(\.arrival))
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
            let notMessages = try await StatusIngest(
                scope: scope, connectionID: connection.id!, events: InboxEventLog(database: database, wakeUp: inboxWakeUp, now: now)
            ).apply(group.map(\.status))
            // A campaign's message is also in its contact's conversation: its status moves both.
            let forCampaigns = group.map(\.status).filter { notMessages.contains($0.id) || CampaignStatusIngest.recipientID($0.bizOpaqueCallbackData) != nil }
            let notRecipients = try await CampaignStatusIngest(scope: scope, connectionID: connection.id!, now: now).apply(forCampaigns)
            let unknown = notMessages.intersection(notRecipients)
            for item in group where unknown.contains(item.status.id) {
                if now.timeIntervalSince(item.status.timestamp) < 600 { waiting.insert(item.eventID) } else { ignored.insert(item.eventID) }
            }
        }
        return (waiting, ignored.subtracting(waiting))
    }

    /// The connections of this WhatsApp Business Account the event's verifier covers; nil (and the
    /// change refused) when the account has connections but none of them is covered. Connections
    /// of the same account that use another app are left to that app's own webhooks.
    private mutating func covered(_ event: ProcessWhatsAppWebhook.PendingEvent, account: String, field: String) async throws -> [WhatsAppConnection]? {
        let all: [WhatsAppConnection]
        if let known = accounts[account] {
            all = known
        } else {
            all = try await directory.connections(businessAccountID: account)
            accounts[account] = all
        }
        let covered = all.filter(event.verifier.covers)
        if covered.isEmpty && !all.isEmpty {
            refuse(event, field: field, "WhatsApp Business Account \(account)")
            return nil
        }
        return covered
    }

    /// Records and logs a change the event's verifier does not cover. Names the verifier, the
    /// field and Meta's id of the number or account; never a secret or the body.
    private mutating func refuse(_ event: ProcessWhatsAppWebhook.PendingEvent, field: String, _ target: String) {
        let reason = "\(field.prefix(100)) for \(target.prefix(100)), which \(event.verifier) does not cover"
        refusals[event.id, default: []].append(reason)
        logger.warning(
            "WhatsApp webhook change refused: its verifier does not cover the number or account it names",
            metadata: [
                "event": .string(event.id.uuidString.lowercased()),
                "verifier": .string(event.verifier.kind),
                "verifier_connection": .string(event.verifier.connectionID?.uuidString.lowercased() ?? "-"),
                "field": .string(String(field.prefix(100))),
                "target": .string(String(target.prefix(100))),
            ])
    }

    private mutating func connection(_ phoneNumberID: String) async throws -> WhatsAppConnection? {
        if let known = connections[phoneNumberID] { return known }
        let found = try await directory.connection(phoneNumberID: phoneNumberID)
        connections[phoneNumberID] = found
        return found
    }

    private static func digits(_ text: String) -> String { text.filter(\.isNumber) }
}
