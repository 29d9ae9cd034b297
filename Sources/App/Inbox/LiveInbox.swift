import Fluent
import Foundation
import Jobs
import Logging
import Synchronization

/// One process's live inbox: follows the event log and forwards each event to the browser tabs
/// connected to this process that may see it.
///
/// It reads the log when woken (by this process's own writes, or on PostgreSQL by a NOTIFY from
/// any process) and at least once a second. Numbers are handed out before commit, so on PostgreSQL
/// a reader can see event 7 while 6 is still being written: a skipped number is kept as a gap and
/// looked for again until it appears or is clearly never coming (a rolled-back write). The
/// `cursor` it reports to browsers stays below every open gap: everything up to it was read.
actor LiveInbox {
    /// A browser tab: who is looking, and where its events go.
    struct Viewer: Sendable {
        var organizationID: UUID
        var access: InboxAccess
        var send: @Sendable (String) -> Void
    }

    static let replayLimit = 1000
    static let gapPatience: Duration = .seconds(30)

    private let database: any Database
    private let logger: Logger
    let wakeUp: Signal
    private var started = false
    private var readUpTo: Int64 = 0
    private var gaps: [Int64: ContinuousClock.Instant] = [:]
    private var viewers: [UUID: Viewer] = [:]
    /// Viewers still catching up from their resume point: their live events wait here.
    private var catchingUp: [UUID: [InboxEvent]] = [:]

    init(database: any Database, wakeUp: Signal, logger: Logger) {
        self.database = database
        self.wakeUp = wakeUp
        self.logger = logger
    }

    /// Everything up to here has been read and forwarded.
    var cursor: Int64 {
        gaps.keys.min().map { $0 - 1 } ?? readUpTo
    }

    /// Follows the log until cancelled.
    func run() async {
        await start()
        while !Task.isCancelled {
            await wakeUp.wait(timeout: .seconds(1))
            do { try await readNewEvents() } catch {
                if Task.isCancelled { break }
                logger.warning("live inbox could not read events", metadata: ["error": .string(String(describing: error))])
                try? await Task.sleep(for: .milliseconds(500))
            }
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
            let missed = try await InboxEventLog.events(after: after, organizationID: viewer.organizationID, limit: Self.replayLimit + 1, on: database)
            let live = catchingUp.removeValue(forKey: id) ?? []
            guard missed.count <= Self.replayLimit else {
                // Too far behind to catch up event by event: the tab reloads instead.
                viewer.send(#"{"type":"reset"}"#)
                return
            }
            viewer.send(Self.hello(cursor: cursor))
            let replayed = Set(missed.map(\.id))
            for event in missed + live.filter({ !replayed.contains($0.id) }) where viewer.access.maySee(event) {
                viewer.send(Self.message(event, cursor: cursor))
            }
        } catch {
            catchingUp[id] = nil
            viewers[id] = nil
            throw error
        }
    }

    func disconnect(_ id: UUID) {
        viewers[id] = nil
        catchingUp[id] = nil
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
                forward(event)
            }
            if batch.count < 500 { break }
        }
    }

    private func expireGaps() {
        let oldest = ContinuousClock.now - Self.gapPatience
        gaps = gaps.filter { $0.value > oldest }
    }

    private func forward(_ event: InboxEvent) {
        let message = Self.message(event, cursor: cursor)
        for (id, viewer) in viewers where viewer.organizationID == event.organizationID && viewer.access.maySee(event) {
            if catchingUp[id] != nil { catchingUp[id]!.append(event) } else { viewer.send(message) }
        }
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

    private static func hello(cursor: Int64) -> String { encode(Hello(cursor: cursor)) }

    static func message(_ event: InboxEvent, cursor: Int64) -> String {
        encode(Message(id: event.id, kind: event.kind, conversation: event.conversationID, data: event.data, cursor: cursor))
    }

    private static func encode(_ value: some Encodable) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
    }
}
