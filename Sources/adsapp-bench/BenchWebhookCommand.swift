@_spi(Seeding) import App
import Fluent
import Foundation
import Jobs
import SQLKit
import Vapor
import WhatsAppCloud

/// `adsapp-bench webhook`: the parts of `scripts/bench webhook` that need the app's database. One
/// mode per run, each printing one line of JSON:
///
/// - `--prepare --count N --out FILE`: on a fresh, migrated database, makes one organization with a
///   WhatsApp connection, its customers and the outbound messages the status callbacks are about,
///   and writes N webhook bodies in Meta's shape, signed with `WHATSAPP_APP_SECRET`, one
///   `signature<TAB>body` line each: per outbound message one inbound text and its `sent`,
///   `delivered` and `read` callbacks (every message id unique).
/// - `--drain --since UNIX_SECONDS`: waits until no stored event is pending, then reports how fast
///   the events received since then were processed.
/// - `--raw-insert --bodies FILE --count N`: the limit beside the figures: the rows the webhook
///   handler writes (a `webhook_events` row and its job, one transaction per event), inserted with
///   plain SQL, `--concurrency` at a time, then deleted again.
struct BenchWebhookCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "prepare", help: "seed the connection and write signed bodies to --out")
        var prepare: Bool
        @Flag(name: "drain", help: "wait until every event is processed and report the rate since --since")
        var drain: Bool
        @Flag(name: "raw-insert", help: "measure plain inserts of the handler's rows, bodies from --bodies")
        var rawInsert: Bool
        @Option(name: "count", help: "bodies to write (--prepare, default 120000) or to insert (--raw-insert, default 20000)")
        var count: Int?
        @Option(name: "contacts", help: "distinct customers (--prepare, default 1000)")
        var contacts: Int?
        @Option(name: "out", help: "the bodies file to write (--prepare)")
        var out: String?
        @Option(name: "bodies", help: "the bodies file to read (--raw-insert)")
        var bodies: String?
        @Option(name: "concurrency", help: "transactions at a time (--raw-insert, default 32)")
        var concurrency: Int?
        @Option(name: "since", help: "unix time in seconds at which the measured load started (--drain)")
        var since: String?
        @Option(name: "timeout", help: "seconds to wait for the backlog (--drain, default 600)")
        var timeout: Int?
    }

    var help: String { "Prepares and measures the WhatsApp webhook benchmark (run on a fresh database)." }

    static let phoneNumberID = "106540352242922"
    static let businessAccountID = "102290129340398"
    static let displayPhoneNumber = "15550783881"

    func run(using context: CommandContext, signature: Signature) async throws {
        let application = context.application
        // The pragmas and planner statistics `serve` sets (WAL, synchronous=NORMAL, busy timeout), so the figures compare.
        try await Seeder(application).prepareDatabase()
        let json: String
        switch (signature.prepare, signature.drain, signature.rawInsert) {
        case (true, false, false):
            guard let out = signature.out else { throw BenchError(description: "--prepare needs --out FILE") }
            json = try await prepare(application, count: signature.count ?? 120_000, contacts: signature.contacts ?? 1000, out: out)
        case (false, true, false):
            guard let since = signature.since.flatMap(Double.init) else { throw BenchError(description: "--drain needs --since UNIX_SECONDS") }
            json = try await drain(application, since: Date(timeIntervalSince1970: since), timeout: signature.timeout ?? 600)
        case (false, false, true):
            guard let bodies = signature.bodies else { throw BenchError(description: "--raw-insert needs --bodies FILE") }
            json = try await rawInsert(application.db, bodies: bodies, count: signature.count ?? 20_000, concurrency: signature.concurrency ?? 32)
        default:
            throw BenchError(description: "give exactly one of --prepare, --drain, --raw-insert")
        }
        context.console.print(json)
    }

    // MARK: - Prepare

    struct Prepared: Encodable {
        var database: String
        var events: Int
        var inbound: Int
        var statuses: Int
        var contacts: Int
        var outboundMessages: Int
        var averageBodyBytes: Int
    }

    private func prepare(_ application: Application, count: Int, contacts contactCount: Int, out: String) async throws -> String {
        let seeder = Seeder(application)
        guard let secret = seeder.whatsAppAppSecret, !secret.isEmpty else {
            throw BenchError(description: "set WHATSAPP_APP_SECRET: the bodies are signed with it")
        }
        let db = application.db
        let now = Date()
        let messagesPerBlock = 4
        let outboundCount = (count + messagesPerBlock - 1) / messagesPerBlock

        let organizationID = try await seeder.addOrganization(name: "Webhook Bench", now: now)
        let connectionID = try await Self.makeConnection(seeder, organizationID: organizationID, name: "Webhook Bench", now: now)

        // Customers, each with a conversation: inbound messages land in existing conversations, as
        // most do in a busy inbox.
        let waIDs = (0..<contactCount).map { "3161" + Self.padded($0, 7) }
        var conversationIDs: [UUID] = []
        for chunk in stride(from: 0, to: contactCount, by: 500).map({ $0..<min($0 + 500, contactCount) }) {
            conversationIDs += try await seeder.addCustomers(
                organizationID: organizationID, connectionID: connectionID,
                customers: chunk.map { (waID: waIDs[$0], name: "Customer \($0)") },
                lastMessage: "Thanks, your order is on its way.", now: now
            )
        }

        // The outbound messages the status callbacks are about, as a send leaves them: `sent`, with Meta's id.
        for chunk in stride(from: 0, to: outboundCount, by: 500).map({ $0..<min($0 + 500, outboundCount) }) {
            try await seeder.addSentMessages(
                organizationID: organizationID, connectionID: connectionID,
                messages: chunk.map { (conversationID: conversationIDs[$0 % contactCount], wamid: Self.wamid("OUT", $0)) },
                text: "Thanks, your order is on its way.", now: now
            )
        }
        // The planner statistics a live database has: autovacuum gathers them only a minute after
        // the seeding, when the measured run is over, and without them PostgreSQL walks the whole
        // organization's messages for a batch's lookups. (SQLite has its fixed ones.)
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("ANALYZE").run()
        }

        // Per block: the customer writes, and an earlier outbound message moves on. The callbacks of
        // one message are spread over the file, as they arrive seconds apart.
        guard FileManager.default.createFile(atPath: out, contents: nil), let file = FileHandle(forWritingAtPath: out) else {
            throw BenchError(description: "cannot write \(out)")
        }
        defer { try? file.close() }
        let timestamp = Int(now.timeIntervalSince1970)
        var buffer = ""
        var bytes = 0
        var inbound = 0
        for index in 0..<count {
            let block = index / messagesPerBlock
            let body: String
            switch index % messagesPerBlock {
            case 0:
                let waID = waIDs[block % contactCount]
                body = Self.inboundText(
                    wamid: Self.wamid("IN", block), waID: waID, name: "Customer \(block % contactCount)",
                    text: "Hi, where is my order \(100_000 + block)?", timestamp: timestamp)
                inbound += 1
            case 1:
                body = Self.status("sent", of: block, contactCount: contactCount, waIDs: waIDs, timestamp: timestamp)
            case 2:
                body = Self.status("delivered", of: (block + outboundCount - 8) % outboundCount, contactCount: contactCount, waIDs: waIDs, timestamp: timestamp)
            default:
                body = Self.status("read", of: (block + outboundCount - 64) % outboundCount, contactCount: contactCount, waIDs: waIDs, timestamp: timestamp)
            }
            bytes += body.utf8.count
            buffer += WebhookSignature.header(body: Array(body.utf8), appSecret: secret)
            buffer += "\t"
            buffer += body
            buffer += "\n"
            if buffer.utf8.count > 1 << 20 {
                try file.write(contentsOf: Data(buffer.utf8))
                buffer = ""
            }
        }
        try file.write(contentsOf: Data(buffer.utf8))

        return try Statistics.json(
            Prepared(
                database: Self.databaseName(db), events: count, inbound: inbound, statuses: count - inbound,
                contacts: contactCount, outboundMessages: outboundCount, averageBodyBytes: count == 0 ? 0 : bytes / count
            ))
    }

    /// Unique, and shaped like Meta's ids (`wamid.` and base64 of the conversation and a message key).
    static func wamid(_ direction: String, _ index: Int) -> String {
        "wamid.HBgLMzE2MTAwMDAwMDAVAgASGBQ\(direction)\(padded(index, 20))BENCH"
    }

    private static func envelope(_ value: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"\#(businessAccountID)","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"\#(displayPhoneNumber)","phone_number_id":"\#(phoneNumberID)"},\#(value)},"field":"messages"}]}]}"#
    }

    static func inboundText(wamid: String, waID: String, name: String, text: String, timestamp: Int) -> String {
        envelope(
            #""contacts":[{"profile":{"name":"\#(name)"},"wa_id":"\#(waID)"}],"messages":[{"from":"\#(waID)","id":"\#(wamid)","timestamp":"\#(timestamp)","type":"text","text":{"body":"\#(text)"}}]"#
        )
    }

    private static func status(_ status: String, of message: Int, contactCount: Int, waIDs: [String], timestamp: Int) -> String {
        let conversation = padded(message % contactCount, 32, radix: 16)
        let billing: String
        switch status {
        case "sent":
            billing =
                #","conversation":{"id":"\#(conversation)","expiration_timestamp":"\#(timestamp + 86_400)","origin":{"type":"service"}},"pricing":{"billable":false,"pricing_model":"PMP","category":"service","type":"free_customer_service"}"#
        case "delivered":
            billing =
                #","conversation":{"id":"\#(conversation)","origin":{"type":"service"}},"pricing":{"billable":false,"pricing_model":"PMP","category":"service","type":"free_customer_service"}"#
        default:
            billing = ""
        }
        return envelope(
            #""statuses":[{"id":"\#(wamid("OUT", message))","status":"\#(status)","timestamp":"\#(timestamp)","recipient_id":"\#(waIDs[message % contactCount])"\#(billing)}]"#
        )
    }

    static func padded(_ value: Int, _ width: Int, radix: Int = 10) -> String {
        let digits = String(value, radix: radix)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: - Drain

    struct Drained: Encodable {
        var database: String
        var events: Int
        var processed: Int
        var failed: Int
        /// Processed events that left a note for the operator (a change not acted on): should be 0.
        var withNotes: Int
        var backlogAtStart: Int
        var drainSeconds: Double
        var processedPerSecond: Double
        var receivedToProcessedP50Milliseconds: Double
        var receivedToProcessedP99Milliseconds: Double
        var inboundMessages: Int
        var outboundRead: Int
        /// Failed attempts of webhook jobs (retried later): should be 0.
        var failedJobAttempts: Int
    }

    private func drain(_ application: Application, since: Date, timeout: Int) async throws -> String {
        let db = application.db
        let sql = db as! any SQLDatabase
        let started = ContinuousClock.now
        var backlogAtStart: Int?
        while true {
            let pending = try await count(sql, "SELECT COUNT(*) AS n FROM webhook_events WHERE state = 'pending'")
            if backlogAtStart == nil { backlogAtStart = pending }
            if pending == 0 { break }
            guard Statistics.seconds(since: started) < Double(timeout) else {
                throw BenchError(description: "\(pending) events still pending after \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let drainSeconds = Statistics.seconds(since: started)

        let events = try await Seeder(application).webhookEvents(receivedSince: since)
        let processed = events.filter(\.processed)
        let lastProcessed = processed.compactMap(\.processedAt).max() ?? since
        let waits = processed.compactMap { event in event.processedAt.map { $0.timeIntervalSince(event.receivedAt) * 1000 } }.sorted()
        return try Statistics.json(
            Drained(
                database: Self.databaseName(db),
                events: events.count,
                processed: processed.count,
                failed: events.filter(\.failed).count,
                withNotes: processed.filter(\.noted).count,
                backlogAtStart: backlogAtStart ?? 0,
                drainSeconds: drainSeconds,
                processedPerSecond: Double(processed.count) / max(lastProcessed.timeIntervalSince(since), 0.001),
                receivedToProcessedP50Milliseconds: Statistics.percentile(waits, 0.50),
                receivedToProcessedP99Milliseconds: Statistics.percentile(waits, 0.99),
                inboundMessages: try await count(sql, "SELECT COUNT(*) AS n FROM messages WHERE direction = 'inbound'"),
                outboundRead: try await count(sql, "SELECT COUNT(*) AS n FROM messages WHERE direction = 'outbound' AND status = 'read'"),
                failedJobAttempts: try await count(
                    sql,
                    """
                    SELECT COUNT(*) AS n FROM job_attempts WHERE job_id IN (SELECT id FROM jobs WHERE kind = '\(Seeder.webhookJobKind)')
                    """)
            ))
    }

    // MARK: - Raw insert

    struct RawInsert: Encodable {
        var database: String
        var count: Int
        var concurrency: Int
        var rawInsertEventsPerSecond: Double
    }

    private func rawInsert(_ db: any Database, bodies path: String, count: Int, concurrency: Int) async throws -> String {
        guard let file = FileManager.default.contents(atPath: path) else { throw BenchError(description: "cannot read \(path)") }
        // `signature<TAB>body` lines: keep the bodies of the first `count`.
        var bodies: [Data] = []
        var lineStart = file.startIndex
        while bodies.count < count, lineStart < file.endIndex {
            let lineEnd = file[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? file.endIndex
            if let tab = file[lineStart..<lineEnd].firstIndex(of: UInt8(ascii: "\t")) {
                bodies.append(Data(file[(tab + 1)..<lineEnd]))
            }
            lineStart = lineEnd + 1
        }
        guard !bodies.isEmpty else { throw BenchError(description: "no bodies in \(path)") }
        let rows = bodies
        // The handler's job, in a queue of its own so that no worker ever takes these rows.
        let template = try Seeder.webhookJob(eventID: UUID())
        let queue = "bench-raw"
        let lanes = max(1, concurrency)

        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    for index in stride(from: lane, to: rows.count, by: lanes) {
                        let eventID = UUID()
                        let payload = try Seeder.webhookJob(eventID: eventID).payload
                        let now = Date()
                        let micros = Int64((now.timeIntervalSince1970 * 1_000_000).rounded())
                        try await db.transaction { transaction in
                            let sql = transaction as! any SQLDatabase
                            try await sql.raw(
                                """
                                INSERT INTO webhook_events (id, source, body, received_at, state)
                                VALUES (\(bind: eventID), \(bind: queue), \(bind: rows[index]), \(bind: now), 'pending')
                                """
                            ).run()
                            try await sql.raw(
                                """
                                INSERT INTO jobs (id, kind, queue, payload, priority, state, run_at, due_at, attempts, max_attempts,
                                                  unique_key, organization_id, created_at, progress)
                                VALUES (\(bind: UUID()), \(bind: template.kind), \(bind: queue), \(bind: payload), \(bind: template.priority.rawValue),
                                        'queued', \(bind: micros), \(bind: micros), 0, \(bind: template.maxAttempts), NULL, NULL, \(bind: micros), 0.0)
                                """
                            ).run()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let rate = Double(bodies.count) / Statistics.seconds(since: started)

        let sql = db as! any SQLDatabase
        try await sql.raw("DELETE FROM jobs WHERE queue = \(bind: queue)").run()
        try await sql.raw("DELETE FROM webhook_events WHERE source = \(bind: queue)").run()
        return try Statistics.json(RawInsert(database: Self.databaseName(db), count: bodies.count, concurrency: lanes, rawInsertEventsPerSecond: rate))
    }

    // MARK: -

    /// The benchmarks' number, with a sealed stand-in token: the one the signed bodies name.
    static func makeConnection(_ seeder: Seeder, organizationID: UUID, name: String, now: Date) async throws -> UUID {
        try await seeder.addConnection(
            organizationID: organizationID, phoneNumberID: phoneNumberID, businessAccountID: businessAccountID,
            displayPhoneNumber: "+1 555-078-3881", verifiedName: name, accessToken: "bench-token", now: now
        )
    }

    private static func databaseName(_ db: any Database) -> String {
        (db as? any SQLDatabase)?.dialect.name == "postgresql" ? "postgresql" : "sqlite"
    }

    private func count(_ sql: any SQLDatabase, _ query: String) async throws -> Int {
        try await sql.raw(SQLQueryString(query)).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
