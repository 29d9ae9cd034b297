import Fluent
import Foundation
import SQLKit

/// The numbers on the inbox's tabs, shared: one grouped count per organization (and per tag, for
/// the tag filter), by state, assignee, team, number and whether unread, from which every member's
/// tabs are added up in memory, whatever their filter and whatever they may see.
///
/// Counting a large inbox takes tens of milliseconds, too long for every list read by every
/// agent. A count is kept for `maxAge`; an older one is still answered while it is counted again
/// in the background (once, whoever asks), and one much older is counted before answering. With
/// `maxAge` zero every read counts.
actor ConversationCounts {
    struct Bucket: Hashable, Sendable {
        var status: Conversation.Status
        var assigneeID: UUID?
        var teamID: UUID?
        var connectionID: UUID
        var unread: Bool
    }

    private struct Key: Hashable {
        var organizationID: UUID
        var tagID: UUID?
    }

    private struct Entry {
        var buckets: [Bucket: Int]
        var countedAt: ContinuousClock.Instant
    }

    let database: any Database
    let maxAge: Duration
    private var entries: [Key: Entry] = [:]
    private var counting: Set<Key> = []

    init(database: any Database, maxAge: Duration) {
        self.database = database
        self.maxAge = maxAge
    }

    /// The organization's conversations grouped, of those with the tag when one is given.
    func buckets(organizationID: UUID, tagID: UUID?) async throws -> [Bucket: Int] {
        let key = Key(organizationID: organizationID, tagID: tagID)
        let now = ContinuousClock.now
        forgetUnused(now)
        if let entry = entries[key], maxAge > .zero {
            let age = now - entry.countedAt
            if age < maxAge { return entry.buckets }
            if age < maxAge * 5 {
                if counting.insert(key).inserted {
                    Task { try? await self.count(key) }
                }
                return entry.buckets
            }
        }
        return try await count(key)
    }

    @discardableResult
    private func count(_ key: Key) async throws -> [Bucket: Int] {
        defer { counting.remove(key) }
        let started = ContinuousClock.now
        let buckets = try await Self.count(key.organizationID, tagID: key.tagID, on: database)
        entries[key] = Entry(buckets: buckets, countedAt: started)
        return buckets
    }

    /// Entries nobody asked for in a minute go.
    private func forgetUnused(_ now: ContinuousClock.Instant) {
        guard entries.count > 16 else { return }
        entries = entries.filter { now - $0.value.countedAt < .seconds(60) }
    }

    private static func count(_ organizationID: UUID, tagID: UUID?, on database: any Database) async throws -> [Bucket: Int] {
        let scope = TenantScope(organizationID: organizationID, database: database)
        let tagged: SQLQueryString =
            tagID.map {
                "AND EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = conversations.id AND t.tag_id = \(bind: $0))"
            } ?? ""
        let rows = try await scope.sql(
            """
            SELECT status, assignee_id, team_id, connection_id, unread_count > 0 AS unread, count(*) AS total
            FROM conversations
            WHERE organization_id = \(bind: organizationID) \(tagged)
            GROUP BY status, assignee_id, team_id, connection_id, unread_count > 0
            """
        ).all()
        var buckets: [Bucket: Int] = [:]
        for row in rows {
            guard let status = Conversation.Status(rawValue: try row.decode(column: "status", as: String.self)) else { continue }
            let bucket = Bucket(
                status: status,
                assigneeID: try row.decode(column: "assignee_id", as: UUID?.self),
                teamID: try row.decode(column: "team_id", as: UUID?.self),
                connectionID: try row.decode(column: "connection_id", as: UUID.self),
                unread: try row.decode(column: "unread", as: Bool.self)
            )
            buckets[bucket, default: 0] += try row.decode(column: "total", as: Int.self)
        }
        return buckets
    }
}
