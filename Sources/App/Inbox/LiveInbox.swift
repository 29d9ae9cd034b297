import Fluent
import Foundation
import Jobs
import Logging
import NIOCore
import Synchronization

/// One process's live inbox: follows the event log and forwards each event to the browser tabs
/// connected to this process that may see it.
///
/// It reads the log when woken (by this process's own writes, or on PostgreSQL by a NOTIFY from
/// any process) and at least once a second. Numbers are handed out before commit, so on PostgreSQL
/// a reader can see event 7 while 6 is still being written: a skipped number is kept as a gap and
/// looked for again until it appears or is clearly never coming (a rolled-back write). The
/// `cursor` it reports to browsers stays below every open gap: everything up to it was read.
///
/// A tab's right to hear is checked while it listens, not only when it connects (DESIGN rule 10):
/// every half second one query reads the sessions and memberships behind all tabs (see
/// `LiveAccess`), and an `access` event in the log (a role, team or visibility change) has them
/// read again before any later event is forwarded. A tab whose session ended or whose member left
/// is closed; the others hear each event by their member's current role and teams.
actor LiveInbox {
    /// A browser tab: who is looking, and where its events go.
    struct Viewer: Sendable {
        var organizationID: UUID
        /// The session the tab was opened with: when it ends, the tab closes.
        var sessionID: UUID
        var access: InboxAccess
        /// The event loop of the tab's socket, where `send` writes.
        var eventLoop: any EventLoop
        var send: @Sendable (String) -> Void
        /// Closes the socket: its session or membership is gone.
        var close: @Sendable () -> Void
    }

    /// The most missed events a reconnecting tab is sent (`LIVE_INBOX_REPLAY_LIMIT`, 1000); further behind, it reloads.
    nonisolated let replayLimit: Int
    static let gapPatience: Duration = .seconds(30)
    /// How often every tab's session and membership are read again: a tab closes within a second.
    static let accessCheckInterval: Duration = .milliseconds(500)

    private let database: any Database
    private let logger: Logger
    private let sessions: LiveAccess.SessionLifetime
    let wakeUp: Signal
    private var started = false
    private var readUpTo: Int64 = 0
    private var gaps: [Int64: ContinuousClock.Instant] = [:]
    private var viewers: [UUID: Viewer] = [:]
    /// Viewers still catching up from their resume point: their live events wait here.
    private var catchingUp: [UUID: [InboxEvent]] = [:]
    /// Access checks are numbered as they start; a tab keeps the answer of the latest one, so a slow
    /// check cannot undo what a newer one found.
    private var checksStarted = 0
    private var checkApplied: [UUID: Int] = [:]

    init(database: any Database, wakeUp: Signal, logger: Logger, sessions: LiveAccess.SessionLifetime = .unlimited, replayLimit: Int = 1000) {
        self.database = database
        self.replayLimit = replayLimit
        self.wakeUp = wakeUp
        self.logger = logger
        self.sessions = sessions
    }

    /// Everything up to here has been read and forwarded.
    var cursor: Int64 {
        gaps.keys.min().map { $0 - 1 } ?? readUpTo
    }

    /// Follows the log and checks the tabs' access until cancelled.
    func run() async {
        await start()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.follow() }
            group.addTask { await self.keepCheckingAccess() }
        }
    }

    private func follow() async {
        while !Task.isCancelled {
            await wakeUp.wait(timeout: .seconds(1))
            do { try await readNewEvents() } catch {
                if Task.isCancelled { break }
                logger.warning("live inbox could not read events", metadata: ["error": .string(String(describing: error))])
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    private func keepCheckingAccess() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.accessCheckInterval)
            await checkAccess()
        }
    }

    /// Reads every tab's session and membership again (of one organization, or all): closes the
    /// tabs that lost them and gives the others their member's current visibility.
    func checkAccess(organizationID: UUID? = nil) async {
        let tabs = viewers.filter { organizationID == nil || $0.value.organizationID == organizationID }
        guard !tabs.isEmpty else { return }
        checksStarted += 1
        let check = checksStarted
        let current: [UUID: LiveAccess.Current]
        do {
            current = try await LiveAccess.current(sessions: Set(tabs.values.map(\.sessionID)), lifetime: sessions, on: database)
        } catch {
            if !Task.isCancelled {
                logger.warning("live inbox could not check access", metadata: ["error": .string(String(describing: error))])
            }
            return
        }
        for (id, tab) in tabs where viewers[id] != nil && checkApplied[id, default: 0] < check {
            checkApplied[id] = check
            guard let session = current[tab.sessionID], let access = session.access(in: tab.organizationID, membershipID: tab.access.membershipID) else {
                disconnect(id)
                tab.close()
                continue
            }
            if access != viewers[id]?.access { viewers[id]?.access = access }
        }
    }

    private func start() async {
        guard !started else { return }
        started = true
        readUpTo = (try? await InboxEventLog.latestID(on: database)) ?? 0
    }

    /// Connects a tab that has seen everything up to `after` (or nothing yet, then from now on).
    func connect(_ id: UUID, _ viewer: Viewer, after: Int64?) async throws {
        await start()
        viewers[id] = viewer
        guard let after else {
            viewer.send(Self.hello(cursor: cursor))
            return
        }
        catchingUp[id] = []
        do {
            let missed = try await InboxEventLog.events(after: after, organizationID: viewer.organizationID, limit: replayLimit + 1, on: database)
            let live = catchingUp.removeValue(forKey: id) ?? []
            guard missed.count <= replayLimit else {
                // Too far behind to catch up event by event: the tab reloads instead.
                viewer.send(#"{"type":"reset"}"#)
                return
            }
            viewer.send(Self.hello(cursor: cursor))
            let replayed = Set(missed.map(\.id))
            for event in missed + live.filter({ !replayed.contains($0.id) }) where event.kind != .access && viewer.access.maySee(event) {
                viewer.send(Self.message(event, cursor: cursor))
            }
        } catch {
            catchingUp[id] = nil
            viewers[id] = nil
            throw error
        }
    }

    /// A connected tab's current visibility; `nil` once it is closed.
    func access(of id: UUID) -> InboxAccess? { viewers[id]?.access }

    func disconnect(_ id: UUID) {
        viewers[id] = nil
        catchingUp[id] = nil
        checkApplied[id] = nil
    }

    private func readNewEvents() async throws {
        expireGaps()
        while true {
            // The oldest gaps first, a bounded number at a time (a rolled-back batch leaves hundreds).
            let batch = try await InboxEventLog.events(after: readUpTo, including: Array(gaps.keys.sorted().prefix(500)), limit: 500, on: database)
            for event in batch {
                if gaps.removeValue(forKey: event.id) == nil, event.id > readUpTo {
                    let now = ContinuousClock.now
                    for missing in stride(from: readUpTo + 1, to: event.id, by: 1).prefix(10_000) { gaps[missing] = now }
                    readUpTo = event.id
                }
                if event.kind == .access {
                    // Whatever follows in the log is seen with the changed roles and teams.
                    await checkAccess(organizationID: event.organizationID)
                } else {
                    forward(event)
                }
            }
            if batch.count < 500 { break }
        }
    }

    private func expireGaps() {
        let oldest = ContinuousClock.now - Self.gapPatience
        gaps = gaps.filter { $0.value > oldest }
    }

    private func forward(_ event: InboxEvent) {
        var listening: [Viewer] = []
        for (id, viewer) in viewers where viewer.organizationID == event.organizationID && viewer.access.maySee(event) {
            if catchingUp[id] != nil { catchingUp[id]!.append(event) } else { listening.append(viewer) }
        }
        Self.deliver(Self.message(event, cursor: cursor), to: listening)
    }

    /// Hands one message to many tabs with one hop to each event loop their sockets live on, where
    /// each write is then direct: a write from outside its loop is a hop of its own, one per tab.
    private static func deliver(_ message: String, to tabs: [Viewer]) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, sends: [@Sendable (String) -> Void])] = [:]
        for tab in tabs { byLoop[ObjectIdentifier(tab.eventLoop), default: (tab.eventLoop, [])].sends.append(tab.send) }
        for (loop, sends) in byLoop.values {
            loop.execute { for send in sends { send(message) } }
        }
    }

    /// A member's tab shows a conversation: the tabs of colleagues who may see it hear who. Not
    /// logged, so a tab hears presence only while it is connected (`LivePresence`).
    func presence(_ presence: Presence) {
        let message = Self.encode(PresenceMessage(conversation: presence.conversationID, by: presence.by))
        let listening = viewers.values.filter { viewer in
            viewer.organizationID == presence.organizationID && viewer.access.membershipID != presence.membershipID
                && viewer.access.maySee(assigneeID: presence.assigneeID, teamID: presence.teamID)
        }
        Self.deliver(message, to: listening)
    }

    // MARK: - Wire format

    private struct Hello: Encodable { var type = "hello"; var cursor: Int64 }
    private struct Message: Encodable {
        var type = "event"
        var id: Int64
        var kind: InboxEvent.Kind
        var conversation: UUID?
        var data: [String: String]
        var cursor: Int64
    }

    private struct PresenceMessage: Encodable {
        var type = "presence"
        var conversation: UUID
        var by: String
    }

    private static func hello(cursor: Int64) -> String { encode(Hello(cursor: cursor)) }

    static func message(_ event: InboxEvent, cursor: Int64) -> String {
        encode(Message(id: event.id, kind: event.kind, conversation: event.conversationID, data: event.data, cursor: cursor))
    }

    private static func encode(_ value: some Encodable) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
    }
}
