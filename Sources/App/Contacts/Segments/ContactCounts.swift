import Fluent
import Foundation
import SQLKit
import Vapor

/// How many contacts a filter selects: the live count of the segment editor, the counts on the
/// segment list and in the API's segment bodies.
///
/// A filter that every contact matches counts the whole organization (40 ms at 100,000 contacts on
/// PostgreSQL), and the editor asks again at every keystroke from everyone editing, so counts are
/// shared per organization and filter as `RecentCounts`, at most `CONTACT_COUNTS_MAX_AGE_MILLISECONDS`
/// old. What must be exact (a campaign's audience) counts with `exact`.
struct ContactCounts: Sendable {
    private struct Key: Hashable, Sendable {
        var organizationID: UUID
        var filter: ContactFilter
    }

    private let counts: RecentCounts<Key, Int>

    init(database: any Database, maxAge: Duration) {
        counts = RecentCounts(maxAge: maxAge) { key in
            try await Self.exact(key.filter, in: TenantScope(organizationID: key.organizationID, database: database))
        }
    }

    /// The contacts of the scope's organization that the filter selects, recently counted. A field
    /// of another organization (or none) is refused with `400` as by `exact`.
    func count(_ filter: ContactFilter, in scope: TenantScope) async throws -> Int {
        try await counts.value(for: Key(organizationID: scope.organizationID, filter: filter))
    }

    /// Counted now.
    static func exact(_ filter: ContactFilter, in scope: TenantScope) async throws -> Int {
        let condition = try await filter.sqlCondition(in: scope)
        let row = try await scope.sql("SELECT COUNT(*) AS n FROM contacts WHERE \(condition)").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}

extension Application {
    private struct ContactCountsKey: StorageKey { typealias Value = ContactCounts }

    var contactCounts: ContactCounts {
        get {
            guard let counts = storage[ContactCountsKey.self] else { fatalError("configure(_:) has not run") }
            return counts
        }
        set { storage[ContactCountsKey.self] = newValue }
    }
}
