import Fluent
import Foundation
import Jobs
import Synchronization
import Vapor

/// `GET /inbox/live?after=N`: the WebSocket a browser tab keeps open. It carries the events the
/// member may see, each with the cursor to resume from; `after` resumes a dropped connection with
/// nothing missed. The tab sends `{"viewing":"<conversation id>"}` while a conversation is on its
/// screen, so colleagues see who else is looking (`LivePresence`, outside the event log).
///
/// The upgrade is refused (403) unless the `Origin` is the app's own (`APP_URL`): browsers send
/// the session cookie with a WebSocket opened by any site, and no CSRF token travels with it.
/// After the upgrade `LiveInbox` keeps checking the session: a tab closes (code 1008, the script
/// then reloads to the sign-in page) within a second of its session or membership ending.
enum LiveController {
    static func upgrade(_ request: Request, _ tenant: Tenant) async throws -> Response {
        guard let origin = request.headers.first(name: .origin),
            RequestOrigin.isAppOrigin(origin, appURL: request.context.configuration.appURL)
        else {
            throw APIError(.forbidden, code: "foreign_origin", message: "Live updates are only for pages of this app.")
        }
        let access = try await tenant.inboxAccess()
        let sessionID = try tenant.signedIn.session.requireID()
        let after = try resumePoint(request)
        let live = request.application.liveInbox
        let viewerName = tenant.user.name
        let application = request.application
        let logger = request.logger
        return request.webSocket(maxFrameSize: .init(integerLiteral: 1 << 14)) { _, socket in
            let id = UUID()
            let viewer = LiveInbox.Viewer(
                organizationID: tenant.organizationID, sessionID: sessionID, access: access, eventLoop: socket.eventLoop,
                send: { [weak socket] text in socket?.send(text) },
                close: { [weak socket] in _ = socket?.close(code: .policyViolation) }
            )
            let lastViewing = Mutex<ContinuousClock.Instant?>(nil)
            socket.onText { socket, text in
                guard let conversationID = viewing(in: text) else { return }
                // At most one announcement every few seconds per tab.
                let now = ContinuousClock.now
                let due = lastViewing.withLock { last in
                    guard last.map({ now - $0 > .seconds(5) }) ?? true else { return false }
                    last = now
                    return true
                }
                guard due else { return }
                let scope = TenantScope(organizationID: tenant.organizationID, database: application.db)
                guard let access = await live.access(of: id),
                    let conversation = try? await scope.find(Conversation.self, conversationID), access.maySee(conversation)
                else { return }
                let presence = Presence(
                    organizationID: tenant.organizationID, conversationID: conversationID, teamID: conversation.$team.id,
                    assigneeID: conversation.$assignee.id, membershipID: access.membershipID, by: viewerName)
                do { try await application.livePresence.announce(presence, on: application.db) } catch {
                    logger.warning("presence not announced", metadata: ["error": .string(String(describing: error))])
                }
            }
            socket.onClose.whenComplete { _ in Task { await live.disconnect(id) } }
            do {
                try await live.connect(id, viewer, after: after)
                // Closed while it was catching up: the close handler may have run first.
                if socket.isClosed { await live.disconnect(id) }
            } catch {
                logger.warning("live inbox tab could not catch up", metadata: ["error": .string(String(describing: error))])
                try? await socket.close(code: .unexpectedServerError)
            }
        }
    }

    /// The `after` query value: absent (from now on), or a cursor the server sent before.
    static func resumePoint(_ request: Request) throws -> Int64? {
        guard let raw = request.query[String.self, at: "after"] else { return nil }
        guard let value = Int64(raw), value >= 0 else {
            throw APIError(.badRequest, code: "invalid_cursor", message: "after must be the cursor of a previous event.")
        }
        return value
    }

    private struct Viewing: Decodable { var viewing: UUID }

    static func viewing(in text: String) -> UUID? {
        (try? JSONDecoder().decode(Viewing.self, from: Data(text.utf8)))?.viewing
    }
}

extension Application {
    private struct LiveInboxKey: StorageKey { typealias Value = LiveInbox }
    private struct LivePresenceKey: StorageKey { typealias Value = LivePresence }
    private struct ConversationCountsKey: StorageKey { typealias Value = ConversationCounts }

    var conversationCounts: ConversationCounts {
        get {
            guard let counts = storage[ConversationCountsKey.self] else { fatalError("configure(_:) has not run") }
            return counts
        }
        set { storage[ConversationCountsKey.self] = newValue }
    }

    var livePresence: LivePresence {
        get {
            guard let presence = storage[LivePresenceKey.self] else { fatalError("configure(_:) has not run") }
            return presence
        }
        set { storage[LivePresenceKey.self] = newValue }
    }

    var liveInbox: LiveInbox {
        get {
            guard let live = storage[LiveInboxKey.self] else { fatalError("configure(_:) has not run") }
            return live
        }
        set { storage[LiveInboxKey.self] = newValue }
    }
}

extension Request {
    /// The inbox event log on this request's database (pass a transaction's database to record with it).
    var inboxEvents: InboxEventLog { inboxEvents(on: db) }

    func inboxEvents(on database: any Database) -> InboxEventLog {
        InboxEventLog(database: database, wakeUp: application.backgroundJobs.inboxWakeUp, now: now)
    }
}

/// Runs this process's `LiveInbox`, and on PostgreSQL the listeners that wake it when any process
/// records events and hand it the presence other processes announce.
final class LiveInboxService: LifecycleHandler {
    private let tasks = Mutex<[Task<Void, Never>]>([])

    // Synchronous, so that both `serve` (async boot) and tests (`app.testing()`, sync boot) start it.
    func didBoot(_ application: Application) throws {
        let live = application.liveInbox
        var started = [Task { await live.run() }]
        if case .postgres(let url) = application.context.configuration.database {
            let wakeUp = live.wakeUp
            let listener = try PostgresListener(
                databaseURL: url, channel: InboxEventLog.channel, logger: application.logger,
                reconnected: { wakeUp.fire() }, received: { _ in wakeUp.fire() }
            )
            let presence = application.livePresence
            let presenceListener = try PostgresListener(
                databaseURL: url, channel: LivePresence.channel, logger: application.logger,
                reconnected: {}, received: { payload in Task { await presence.received(payload) } }
            )
            started.append(Task { await listener.run(until: { Task.isCancelled }) })
            started.append(Task { await presenceListener.run(until: { Task.isCancelled }) })
        }
        tasks.withLock { $0 = started }
    }

    func shutdown(_ application: Application) {
        tasks.withLock { tasks in
            defer { tasks = [] }; return tasks
        }.forEach { $0.cancel() }
    }

    func shutdownAsync(_ application: Application) async {
        let running = tasks.withLock { tasks in
            defer { tasks = [] }; return tasks
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }
}
