import Fluent
import Foundation
import SQLKit

/// The numbers on the inbox's tabs, shared: one grouped count per organization (and per tag, for
/// the tag filter), by state, assignee, team, number and whether unread, from which every member's
/// tabs are added up in memory, whatever their filter and whatever they may see.
///
/// Counting a large inbox takes tens of milliseconds, too long for every list read by every
/// agent, so the counts are `RecentCounts`: at most `maxAge` old, or counted again in the
/// background while a slightly older one is answered.
struct ConversationCounts: Sendable {
    struct Bucket: Hashable, Sendable {
        var status: Conversation.Status
        var assigneeID: UUID?
        var teamID: UUID?
        var connectionID: UUID
        var unread: Bool
    }

    private struct Key: Hashable, Sendable {
        var organizationID: UUID
        var tagID: UUID?
    }

    private let counts: RecentCounts<Key, [Bucket: Int]>

    init(database: any Database, maxAge: Duration) {
        counts = RecentCounts(maxAge: maxAge) { key in
            try await Self.count(key.organizationID, tagID: key.tagID, on: database)
        }
    }

    /// The organization's conversations grouped, of those with the tag when one is given.
    func buckets(organizationID: UUID, tagID: UUID?) async throws -> [Bucket: Int] {
        try await counts.value(for: Key(organizationID: organizationID, tagID: tagID))
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
