@_spi(Seeding) import App
import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import SQLKit
import Synchronization
import Vapor
import WhatsAppCloud

/// `adsapp-bench inbox`: the parts of `scripts/bench inbox` that need the app, on PostgreSQL.
///
/// - `--seed --conversations N --messages M --out DIR`: on a fresh, migrated database, one
///   organization ("Inbox Bench") with a WhatsApp number, N customers with a conversation each and
///   M messages spread over them (words from a small vocabulary, so searches find thousands), some
///   pending, snoozed or resolved, a third assigned, some tagged. Writes the request paths the
///   benchmark reads (`list.paths`, `page.paths`, `thread.paths`, `search.paths`) and the session
///   cookie of the owner (`cookie.txt`) into DIR, with progress on stderr.
///   It also makes `otherOrganizations` more organizations, each with an owner whose session
///   cookie is a line of `other-cookies.txt`.
/// - `--live --url BASE --sockets S --messages K --rate R --cookie FILE [--other-sockets O
///   --other-cookies FILE]`: opens S inbox WebSockets as the owner (and O more as the other
///   organizations' owners, in turn), then posts K signed inbound messages (each to another
///   conversation) at R a second to BASE's webhook, and measures from each POST until every one of
///   the S sockets has heard of it. The other sockets must hear none of it.
struct BenchInboxCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "seed", help: "make the organization, its conversations and messages, and the paths files in --out")
        var seed: Bool
        @Flag(name: "live", help: "measure message-in to WebSocket with --sockets connected")
        var live: Bool
        @Option(name: "conversations", help: "conversations to make (--seed, default 100000)")
        var conversations: Int?
        @Option(name: "messages", help: "messages to make in all (--seed, default 1000000)")
        var messages: Int?
        @Option(name: "out", help: "directory for the paths files and the cookie (--seed)")
        var out: String?
        @Option(name: "url", help: "the app's base URL (--live)")
        var url: String?
        @Option(name: "cookie", help: "the cookie file --seed wrote (--live)")
        var cookie: String?
        @Option(name: "sockets", help: "WebSockets to open (--live, default 2000)")
        var sockets: Int?
        @Option(name: "rate", help: "inbound messages a second (--live, default 10)")
        var rate: Int?
        @Option(name: "other-sockets", help: "WebSockets to open as other organizations' owners (--live, default 0)")
        var otherSockets: Int?
        @Option(name: "other-cookies", help: "the other organizations' cookie file --seed wrote (--live, with --other-sockets)")
        var otherCookies: String?
    }

    var help: String { "Seeds and measures the shared inbox benchmark (PostgreSQL, fresh database)." }

    static let ownerEmail = "bench-inbox@example.com"
    static let otherOrganizations = 4
    static let vocabulary = [
        "order", "delivery", "bread", "sourdough", "croissant", "invoice", "refund", "address", "pickup", "tomorrow",
        "birthday", "cake", "wholesale", "gluten", "allergy", "opening", "hours", "payment", "discount", "voucher",
        "bestelling", "levering", "brood", "taart", "factuur", "terugbetaling", "adres", "morgen", "verjaardag", "korting",
    ]
    static let firstNames = ["Jan", "Anna", "Piet", "Sanne", "Daan", "Emma", "Lucas", "Julia", "Sem", "Tess", "Oliver", "Mila", "Noah", "Sophie", "Finn"]
    static let lastNames = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos", "Smith", "Brown"]

    func run(using context: CommandContext, signature: Signature) async throws {
        let application = context.application
        guard let sql = application.db as? any SQLDatabase, sql.dialect.name == "postgresql" else {
            throw BenchError(description: "adsapp-bench inbox runs on PostgreSQL: set DATABASE_URL")
        }
        let json: String
        switch (signature.seed, signature.live) {
        case (true, false):
            guard let out = signature.out else { throw BenchError(description: "--seed needs --out DIR") }
            json = try await seed(application, conversations: signature.conversations ?? 100_000, messages: signature.messages ?? 1_000_000, out: out)
        case (false, true):
            guard let url = signature.url, let cookie = signature.cookie else { throw BenchError(description: "--live needs --url BASE and --cookie FILE") }
            let others = signature.otherSockets ?? 0
            guard others == 0 || signature.otherCookies != nil else { throw BenchError(description: "--other-sockets needs --other-cookies FILE") }
            json = try await live(
                application, base: url, cookieFile: cookie, sockets: signature.sockets ?? 2000, otherSockets: others,
                otherCookiesFile: signature.otherCookies, messages: signature.messages ?? 200, rate: signature.rate ?? 10)
        default:
            throw BenchError(description: "give exactly one of --seed, --live")
        }
        context.console.print(json)
    }

    // MARK: - Seed

    struct Seeded: Encodable {
        var conversations: Int
        var messages: Int
        var contacts: Int
        var seedSeconds: Double
    }

    private func seed(_ application: Application, conversations: Int, messages: Int, out: String) async throws -> String {
        let started = ContinuousClock.now
        let db = application.db
        let sql = db as! any SQLDatabase
        let now = Date()
        let seeder = Seeder(application)
        let (ownerID, registered) = try await seeder.owner(
            name: "Bench Owner", email: Self.ownerEmail, password: "sourdough-loaves-at-dawn-2026", organization: "Inbox Bench")
        guard let organizationID = registered else { throw BenchError(description: "\(Self.ownerEmail) has no organization") }
        let membershipID = try await sql.raw("SELECT id FROM memberships WHERE organization_id = \(bind: organizationID)").first()!.decode(
            column: "id", as: UUID.self)

        let connectionID = try await BenchWebhookCommand.makeConnection(seeder, organizationID: organizationID, name: "Inbox Bench", now: now)
        let tagID = try await seeder.addTag(organizationID: organizationID, name: "Refund", now: now)

        let words = "ARRAY[" + Self.vocabulary.map { "'\($0)'" }.joined(separator: ",") + "]"
        let first = "ARRAY[" + Self.firstNames.map { "'\($0)'" }.joined(separator: ",") + "]"
        let last = "ARRAY[" + Self.lastNames.map { "'\($0)'" }.joined(separator: ",") + "]"
        let perConversation = max(1, messages / conversations)
        let chunk = 10_000
        for start in stride(from: 0, to: conversations, by: chunk) {
            let end = min(start + chunk, conversations) - 1
            // Customers and their conversations, newest activity spread over 90 days.
            try await sql.raw(
                """
                WITH made AS (
                  INSERT INTO contacts (id, organization_id, wa_id, profile_name, created_at, updated_at)
                  SELECT gen_random_uuid(), \(bind: organizationID), '3162' || lpad(i::text, 7, '0'),
                         (\(unsafeRaw: first))[1 + i % \(unsafeRaw: String(Self.firstNames.count))] || ' ' || (\(unsafeRaw: last))[1 + (i / 7) % \(unsafeRaw: String(Self.lastNames.count))],
                         \(bind: now), \(bind: now)
                  FROM generate_series(\(unsafeRaw: String(start)), \(unsafeRaw: String(end))) AS i
                  RETURNING id, wa_id
                )
                INSERT INTO conversations (id, organization_id, connection_id, contact_id, status, last_message_at, last_message_preview,
                                           last_inbound_at, unread_count, created_at, assignee_id, snoozed_until, waiting_since)
                SELECT gen_random_uuid(), \(bind: organizationID), \(bind: connectionID), made.id,
                       CASE WHEN n % 20 < 12 THEN 'open' WHEN n % 20 < 14 THEN 'pending' WHEN n % 20 = 14 THEN 'snoozed' ELSE 'resolved' END,
                       \(bind: now) - (n % 7776000) * interval '1 second', 'Where is my order?',
                       \(bind: now) - (n % 7776000) * interval '1 second', CASE WHEN n % 4 = 0 THEN 1 + n % 3 ELSE 0 END, \(bind: now),
                       CASE WHEN n % 3 = 0 THEN \(bind: membershipID)::uuid END,
                       CASE WHEN n % 20 = 14 THEN \(bind: now) + interval '1 day' END,
                       CASE WHEN n % 20 < 12 AND n % 2 = 0 THEN \(bind: now) - (n % 7776000) * interval '1 second' END
                FROM (SELECT id, substr(wa_id, 5)::int AS n FROM made) AS made
                """
            ).run()
            // Their messages: alternately from the customer and the team, a few words each.
            try await sql.raw(
                """
                INSERT INTO messages (id, organization_id, conversation_id, connection_id, direction, wamid, kind, body, content,
                                      status, status_at, forwarded, sent_at, created_at)
                SELECT gen_random_uuid(), \(bind: organizationID), v.id, v.connection_id,
                       CASE WHEN k % 2 = 0 THEN 'inbound' ELSE 'outbound' END,
                       'wamid.seed.' || v.id || '.' || k, 'text', t.body, json_build_object('text', t.body)::text,
                       CASE WHEN k % 2 = 0 THEN 'received' ELSE 'read' END, v.last_message_at, false,
                       v.last_message_at - (\(unsafeRaw: String(perConversation)) - k) * interval '1 minute', \(bind: now)
                FROM conversations v
                JOIN contacts c ON c.id = v.contact_id
                CROSS JOIN generate_series(0, \(unsafeRaw: String(perConversation - 1))) AS k
                CROSS JOIN LATERAL (SELECT 'Hello, about my ' || (\(unsafeRaw: words))[1 + abs(hashtext(v.id::text || k)) % \(unsafeRaw: String(Self.vocabulary.count))]
                       || ' and the ' || (\(unsafeRaw: words))[1 + abs(hashtext(k || v.id::text)) % \(unsafeRaw: String(Self.vocabulary.count))]
                       || ', number ' || (abs(hashtext(v.id::text)) % 100000) AS body) AS t
                WHERE v.organization_id = \(bind: organizationID) AND substr(c.wa_id, 5)::int BETWEEN \(unsafeRaw: String(start)) AND \(unsafeRaw: String(end))
                """
            ).run()
            FileHandle.standardError.write(Data("seeded \(end + 1)/\(conversations) conversations, \((end + 1) * perConversation) messages\n".utf8))
        }
        try await sql.raw(
            """
            INSERT INTO conversation_tags (id, organization_id, conversation_id, tag_id)
            SELECT gen_random_uuid(), organization_id, id, \(bind: tagID) FROM conversations
            WHERE organization_id = \(bind: organizationID) AND abs(hashtext(id::text)) % 10 = 0
            """
        ).run()
        // Steady state before measuring: the million rows vacuumed (as autovacuum would have by
        // now) and on disk. Without the CHECKPOINT, the checkpoint of the seed's writes ran for
        // minutes during the measurements and held WAL flushes up: single COMMITs took 170 to 270 ms.
        try await sql.raw("VACUUM (ANALYZE)").run()
        try await sql.raw("CHECKPOINT").run()

        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try await writePaths(sql, organizationID: organizationID, tagID: tagID, out: out)
        let cookie = try await seeder.sessionCookie(userID: ownerID, organizationID: organizationID, userAgent: "bench-inbox")
        try cookie.write(toFile: out + "/cookie.txt", atomically: true, encoding: .utf8)
        var otherCookies: [String] = []
        for number in 1...Self.otherOrganizations {
            let (userID, registered) = try await seeder.owner(
                name: "Other Owner \(number)", email: "bench-inbox-other-\(number)@example.com", password: "sourdough-loaves-at-dawn-2026",
                organization: "Other Bench \(number)")
            guard let otherID = registered else { throw BenchError(description: "other owner \(number) has no organization") }
            otherCookies.append(try await seeder.sessionCookie(userID: userID, organizationID: otherID, userAgent: "bench-inbox"))
        }
        try otherCookies.joined(separator: "\n").write(toFile: out + "/other-cookies.txt", atomically: true, encoding: .utf8)

        let counted = try await sql.raw(
            "SELECT (SELECT count(*) FROM conversations) AS conversations, (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM contacts) AS contacts"
        ).first()!
        return try Statistics.json(
            Seeded(
                conversations: try counted.decode(column: "conversations", as: Int.self),
                messages: try counted.decode(column: "messages", as: Int.self),
                contacts: try counted.decode(column: "contacts", as: Int.self),
                seedSeconds: Statistics.seconds(since: started)
            ))
    }

    /// The requests the benchmark makes, one path a line: the list (first pages of several filters
    /// and pages deep into it), the inbox page, threads of random conversations, and searches.
    private func writePaths(_ sql: any SQLDatabase, organizationID: UUID, tagID: UUID, out: String) async throws {
        var list = [
            "/api/v1/conversations?limit=50", "/api/v1/conversations?limit=50&status=pending",
            "/api/v1/conversations?limit=50&assignee=mine", "/api/v1/conversations?limit=50&assignee=unassigned",
            "/api/v1/conversations?limit=50&status=resolved", "/api/v1/conversations?limit=50&tag=\(tagID)",
        ]
        for offset in [50, 500, 5000, 30000] {
            let row = try await sql.raw(
                """
                SELECT id, last_message_at FROM conversations WHERE organization_id = \(bind: organizationID) AND status = 'open'
                ORDER BY last_message_at DESC, id DESC OFFSET \(unsafeRaw: String(offset)) LIMIT 1
                """
            ).first()
            if let row {
                let cursor = Seeder.conversationCursor(
                    lastMessageAt: try row.decode(column: "last_message_at", as: Date.self), id: try row.decode(column: "id", as: UUID.self))
                list.append("/api/v1/conversations?limit=50&cursor=\(cursor)")
            }
        }
        let page = ["/inbox", "/inbox?status=open&assignee=mine", "/inbox?status=resolved&assignee=all", "/inbox?status=open&assignee=all&tag=\(tagID)"]
        let conversations = try await sql.raw(
            """
            SELECT id FROM conversations WHERE organization_id = \(bind: organizationID) ORDER BY random() LIMIT 2000
            """
        ).all().map { try $0.decode(column: "id", as: UUID.self) }
        let thread = conversations.map { "/api/v1/conversations/\($0)/messages?limit=50" }
        var search = Self.vocabulary.flatMap { word in [word, String(word.prefix(4))] }
        search += Self.firstNames.map { $0.lowercased() } + Self.lastNames.map { $0.lowercased() }
        // Numbers as agents type them: a whole one the Dutch way, and the last digits of others.
        search += ["0620012345", "+31 6 2004 5678", "98765", "4821", "order refund", "bread tomorrow", "jan jansen"]
        let searchPaths = search.map { "/api/v1/search?q=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) }
        for (name, paths) in [("list", list), ("page", page), ("thread", thread), ("search", searchPaths)] {
            try (paths.joined(separator: "\n") + "\n").write(toFile: "\(out)/\(name).paths", atomically: true, encoding: .utf8)
        }
    }

    // MARK: - Live

    struct Live: Encodable {
        var sockets: Int
        /// Open as other organizations' owners: they must hear nothing of this inbox.
        var otherSockets: Int
        var heardByOthers: Int
        var messages: Int
        var expected: Int
        var received: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double
        /// Per message, until its first socket heard it.
        var firstP50Milliseconds: Double
        var firstP99Milliseconds: Double
    }

    /// What the sockets heard: per conversation (its id as the server writes it), when its message
    /// was posted; and every delay.
    private final class Deliveries: Sendable {
        private let state = Mutex<(posted: [String: ContinuousClock.Instant], delays: [Double], first: [String: Double])>(([:], [], [:]))

        func posted(_ conversation: UUID) { state.withLock { $0.posted[conversation.uuidString] = .now } }

        func heard(_ conversation: String, at instant: ContinuousClock.Instant) {
            state.withLock { state in
                guard let start = state.posted[conversation] else { return }
                let delay = instant - start
                let milliseconds = Double(delay.components.seconds) * 1000 + Double(delay.components.attoseconds) / 1e15
                state.delays.append(milliseconds)
                state.first[conversation] = min(state.first[conversation] ?? milliseconds, milliseconds)
            }
        }

        var delays: [Double] { state.withLock { $0.delays } }
        /// Per message, the delay until the first socket heard it: the way through the server,
        /// without the fan-out to every socket.
        var firstDelays: [Double] { state.withLock { Array($0.first.values) } }
    }

    /// The conversation of a message event (`"kind":"message"`, `"conversation":"<id>"`), found by a
    /// byte search: the client shares the server's cores, so it reads each of the thousands of
    /// frames a message fans out to as cheaply as it can (a JSON decode per frame cost 20 µs and
    /// queued the frames behind it, which the delays then measured).
    static func messageConversation(in text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard bytes.firstRange(of: messageKind) != nil, let key = bytes.firstRange(of: conversationKey),
                key.upperBound + 36 <= bytes.count
            else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[key.upperBound..<key.upperBound + 36]), as: UTF8.self)
        }
    }

    private static let messageKind = Array(#""kind":"message""#.utf8)
    private static let conversationKey = Array(#""conversation":""#.utf8)

    private final class OpenSockets: Sendable {
        private let sockets = Mutex<[WebSocket]>([])
        func add(_ socket: WebSocket) { sockets.withLock { $0.append(socket) } }
        var all: [WebSocket] { sockets.withLock { $0 } }
    }

    private func live(
        _ application: Application, base: String, cookieFile: String, sockets count: Int, otherSockets: Int, otherCookiesFile: String?, messages: Int,
        rate: Int
    ) async throws -> String {
        guard let secret = Seeder(application).whatsAppAppSecret, !secret.isEmpty else {
            throw BenchError(description: "set WHATSAPP_APP_SECRET to the server's: the bodies are signed with it")
        }
        guard let url = URL(string: base), let host = url.host, let port = url.port else {
            throw BenchError(description: "--url must look like http://127.0.0.1:8080")
        }
        let server = LiveServer(host: host, port: port, origin: "\(url.scheme ?? "http")://\(host):\(port)")
        let cookie = try String(contentsOfFile: cookieFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let otherCookies = try otherCookiesFile.map { try String(contentsOfFile: $0, encoding: .utf8).split(separator: "\n").map(String.init) } ?? []
        guard otherSockets == 0 || !otherCookies.isEmpty else { throw BenchError(description: "the other cookies file is empty") }
        let sql = application.db as! any SQLDatabase
        // Customers whose conversations are open, each written to once.
        let targets = try await sql.raw(
            """
            SELECT v.id, c.wa_id, c.profile_name FROM conversations v JOIN contacts c ON c.id = v.contact_id
            ORDER BY random() LIMIT \(unsafeRaw: String(messages))
            """
        ).all().map {
            (
                id: try $0.decode(column: "id", as: UUID.self), waID: try $0.decode(column: "wa_id", as: String.self),
                name: try $0.decode(column: "profile_name", as: String.self)
            )
        }

        let deliveries = Deliveries()
        let heardByOthers = Atomic<Int>(0)
        let opened = OpenSockets()
        try await openSockets(application, server, cookies: [cookie], count: count, opened: opened) { text, arrived in
            guard let conversation = Self.messageConversation(in: text) else { return }
            deliveries.heard(conversation, at: arrived)
        }
        try await openSockets(application, server, cookies: otherCookies, count: otherSockets, opened: opened) { text, _ in
            if Self.messageConversation(in: text) != nil { heardByOthers.add(1, ordering: .relaxed) }
        }
        try await Task.sleep(for: .seconds(2))

        let client = application.http.client.shared
        let timestamp = Int(Date().timeIntervalSince1970)
        let interval = Duration.seconds(1) / rate
        var next = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, target) in targets.enumerated() {
                try await Task.sleep(until: next)
                next += interval
                let body = BenchWebhookCommand.inboundText(
                    wamid: BenchWebhookCommand.wamid("LIVE\(timestamp)", index), waID: target.waID, name: target.name,
                    text: "Live message \(index)", timestamp: timestamp
                )
                var request = HTTPClientRequest(url: base + "/api/webhooks/whatsapp")
                request.method = .POST
                request.headers.add(name: .contentType, value: "application/json")
                request.headers.add(name: WebhookSignature.headerName, value: WebhookSignature.header(body: Array(body.utf8), appSecret: secret))
                request.body = .bytes(ByteBuffer(string: body))
                deliveries.posted(target.id)
                group.addTask {
                    let response = try await client.execute(request, timeout: .seconds(30))
                    guard response.status == .ok else { throw BenchError(description: "webhook answered \(response.status)") }
                }
            }
            try await group.waitForAll()
        }
        // Let the last ones arrive.
        let expected = targets.count * count
        let deadline = ContinuousClock.now + .seconds(30)
        while deliveries.delays.count < expected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        for socket in opened.all { try? await socket.close() }

        let sorted = deliveries.delays.sorted()
        let first = deliveries.firstDelays.sorted()
        return try Statistics.json(
            Live(
                sockets: count, otherSockets: otherSockets, heardByOthers: heardByOthers.load(ordering: .relaxed), messages: targets.count,
                expected: expected, received: sorted.count,
                p50Milliseconds: Statistics.percentile(sorted, 0.5), p99Milliseconds: Statistics.percentile(sorted, 0.99), maxMilliseconds: sorted.last ?? 0,
                firstP50Milliseconds: Statistics.percentile(first, 0.5), firstP99Milliseconds: Statistics.percentile(first, 0.99)
            ))
    }

    /// Where the live sockets connect. The server accepts them from its own origin only (APP_URL
    /// is the bench's base URL).
    private struct LiveServer {
        var host: String
        var port: Int
        var origin: String
    }

    /// Opens `count` inbox WebSockets, 100 at a time, with the cookies in turn; `heard` gets each
    /// text frame with the instant it arrived.
    private func openSockets(
        _ application: Application, _ server: LiveServer, cookies: [String], count: Int, opened: OpenSockets,
        heard: @escaping @Sendable (String, ContinuousClock.Instant) -> Void
    ) async throws {
        for batch in stride(from: 0, to: count, by: 100) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in batch..<min(batch + 100, count) {
                    let headers: HTTPHeaders = [
                        HTTPHeaders.Name.cookie.description: cookies[index % cookies.count], HTTPHeaders.Name.origin.description: server.origin,
                    ]
                    // Spread over every loop: a connect from a task on a loop would otherwise stay on that loop.
                    let loop = application.eventLoopGroup.next()
                    group.addTask {
                        try await WebSocket.connect(host: server.host, port: server.port, path: "/inbox/live", headers: headers, on: loop) { socket in
                            opened.add(socket)
                            socket.onText { _, text in heard(text, ContinuousClock.now) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            FileHandle.standardError.write(Data("connected \(min(batch + 100, count))/\(count) sockets\n".utf8))
        }
    }
}
