import Fluent
import Foundation
import Jobs
import SQLKit

/// Something that changed in an organization's inbox. Browsers follow these live over a WebSocket
/// and, after a dropped connection, resume from the last one they saw.
struct InboxEvent: Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        /// New messages in a conversation, from the customer or from the team.
        case message
        /// Delivery ticks of sent messages moved.
        case status
        /// Assignment, team, state (open, pending, snoozed, resolved) or tags changed.
        case conversation
        /// A private note was added.
        case note
        /// A member was mentioned in a note: only they receive this one.
        case mention
        /// Recorded by earlier releases when a member had a conversation open; presence now travels
        /// outside the log (`LivePresence`). Kept so the rows already written still read.
        case viewing
        /// Who may see what changed (a role, a team's members, the visibility setting, a member
        /// removed): live tabs check their access before hearing anything recorded after it. Never
        /// sent to browsers.
        case access
    }

    var id: Int64
    var organizationID: UUID
    var kind: Kind
    var conversationID: UUID?
    /// The conversation's team and assignee when it happened: who may see it.
    var teamID: UUID?
    var assigneeID: UUID?
    /// For events meant for one member only (a mention): their membership.
    var recipientID: UUID?
    /// A few words for the reader (who did it), never message content.
    var data: [String: String]
    var createdAt: Date
}

/// The `inbox_events` table: an append-only log, numbered in insertion order.
///
/// Recording happens in the same transaction as the change it describes. On PostgreSQL each
/// recording also sends one `NOTIFY inbox_events`, delivered when the transaction commits (and sent
/// once per transaction however many rows it records): the wake-up hint for `LiveInbox` in every
/// app process. In-process, `wakeUp` is fired directly (on SQLite the only way).
struct InboxEventLog: Sendable {
    static let channel = "inbox_events"

    let database: any Database
    let wakeUp: Signal
    let now: Date

    private var sql: any SQLDatabase { database.sql }

    /// One event per conversation, carrying each conversation's current team and assignee.
    func record(_ kind: InboxEvent.Kind, conversations ids: some Collection<UUID>, data: [String: String] = [:]) async throws {
        guard !ids.isEmpty else { return }
        let encoded = try Self.encode(data)
        for chunk in Set(ids).sorted().chunks(of: 500) {
            try await sql.raw(
                """
                INSERT INTO inbox_events (organization_id, kind, conversation_id, team_id, assignee_id, data, created_at)
                SELECT organization_id, \(bind: kind.rawValue), id, team_id, assignee_id, \(bind: encoded), \(bind: now)
                FROM conversations WHERE id IN \(SQLGroupExpression(chunk.map { SQLBind($0) }))
                """
            ).run()
        }
        try await announce()
    }

    /// An event for one member of the organization only.
    func record(_ kind: InboxEvent.Kind, organizationID: UUID, conversationID: UUID?, recipientID: UUID, data: [String: String] = [:]) async throws {
        try await sql.raw(
            """
            INSERT INTO inbox_events (organization_id, kind, conversation_id, recipient_id, data, created_at)
            VALUES (\(bind: organizationID), \(bind: kind.rawValue), \(bind: conversationID), \(bind: recipientID), \(bind: try Self.encode(data)), \(bind: now))
            """
        ).run()
        try await announce()
    }

    /// Tells every app process's live inbox that access in an organization changed, in the
    /// transaction of the change: events after it are heard with the new roles and teams.
    func recordAccessChange(organizationID: UUID) async throws {
        try await Self.recordAccessChange(organizationID: organizationID, on: database, now: now)
        wakeUp.fire()
    }

    /// The same, for code that has no wake-up signal at hand: this process's live inbox then reads
    /// it on its next tick (at most a second), other processes at once.
    static func recordAccessChange(organizationID: UUID, on database: any Database, now: Date) async throws {
        let sql = database.sql
        try await sql.raw(
            """
            INSERT INTO inbox_events (organization_id, kind, created_at) VALUES (\(bind: organizationID), \(bind: InboxEvent.Kind.access.rawValue), \(bind: now))
            """
        ).run()
        try await sql.engine.notify(channel, on: sql)
    }

    private func announce() async throws {
        try await sql.engine.notify(Self.channel, on: sql)
        wakeUp.fire()
    }

    // MARK: - Reading

    /// Events after `id` in order, of one organization or of all.
    static func events(after id: Int64, including extra: [Int64] = [], organizationID: UUID? = nil, limit: Int, on database: any Database) async throws
        -> [InboxEvent]
    {
        let sql = database.sql
        var condition: SQLQueryString = "id > \(bind: id)"
        if !extra.isEmpty { condition = "(id > \(bind: id) OR id IN \(SQLGroupExpression(extra.map { SQLBind($0) })))" }
        if let organizationID { condition = "organization_id = \(bind: organizationID) AND " + condition }
        let rows = try await sql.raw(
            """
            SELECT id, organization_id, kind, conversation_id, team_id, assignee_id, recipient_id, data, created_at
            FROM inbox_events WHERE \(condition) ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """
        ).all()
        return try rows.compactMap { row in
            guard let kind = InboxEvent.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
            let data = try row.decode(column: "data", as: String?.self).flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
            return InboxEvent(
                id: try row.decode(column: "id", as: Int64.self),
                organizationID: try row.decode(column: "organization_id", as: UUID.self),
                kind: kind,
                conversationID: try row.decode(column: "conversation_id", as: UUID?.self),
                teamID: try row.decode(column: "team_id", as: UUID?.self),
                assigneeID: try row.decode(column: "assignee_id", as: UUID?.self),
                recipientID: try row.decode(column: "recipient_id", as: UUID?.self),
                data: data ?? [:],
                createdAt: try row.decode(column: "created_at", as: Date.self)
            )
        }
    }

    /// The newest event's number, 0 for none.
    static func latestID(on database: any Database) async throws -> Int64 {
        let sql = database.sql
        return try await sql.raw("SELECT max(id) AS id FROM inbox_events").first()?.decode(column: "id", as: Int64?.self) ?? 0
    }

    private static func encode(_ data: [String: String]) throws -> String? {
        data.isEmpty ? nil : String(decoding: try JSONEncoder().encode(data), as: UTF8.self)
    }
}

/// Forgets inbox events after two days: a tab away longer than that reloads instead of catching up.
struct PruneInboxEvents: JobHandler {
    struct Payload: Codable, Sendable {
        var keepHours: Int = 48
    }

    static let kind = "maintenance.prune-inbox-events"
    static let queue: QueueName = .maintenance

    func run(_ payload: Payload, context: JobContext) async throws {
        let cutoff = Date().addingTimeInterval(-Double(payload.keepHours) * 3600)
        try await context.database.sql.raw("DELETE FROM inbox_events WHERE created_at < \(bind: cutoff)").run()
    }
}
