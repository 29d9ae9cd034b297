import Fluent
import Foundation
import SQLKit

/// Segment names are unique in an organization in any case: "VIP" and "vip" cannot both exist.
///
/// Names saved before this that differ only in case keep the oldest as it is; the others get a
/// number ("vip (2)"). Then a unique index on the lower-cased name backs the check in
/// `Segment.saveWithUniqueName` (SQL's `lower` folds ASCII letters only; the app compares all).
struct IndexSegmentNamesInAnyCase: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let rows = try await sql.raw("SELECT id, organization_id, name FROM segments ORDER BY created_at, id").all()
        var taken: [UUID: Set<String>] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            let organization = try row.decode(column: "organization_id", as: UUID.self)
            let name = try row.decode(column: "name", as: String.self)
            var candidate = name
            var number = 1
            while taken[organization, default: []].contains(candidate.lowercased()) {
                number += 1
                candidate = "\(name) (\(number))"
            }
            taken[organization, default: []].insert(candidate.lowercased())
            if candidate != name {
                try await sql.raw("UPDATE segments SET name = \(bind: candidate) WHERE id = \(bind: id)").run()
            }
        }
        try await sql.raw("CREATE UNIQUE INDEX segments_organization_name_any_case ON segments (organization_id, lower(name))").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "segments_organization_name_any_case").run()
    }
}
