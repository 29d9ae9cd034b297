import Fluent
import SQLKit
import Vapor

/// The platform operator's pages. The only code that reads across organizations on purpose.
enum PlatformAdminController {
    /// Every organization, for the platform operator only (guarded by `RequirePlatformAdmin`).
    static func organizations(_ request: Request) async throws -> Response {
        let organizations = try await Organization.query(on: request.db).sort(\.$createdAt, .descending).limit(500).all()
        // One grouped count for all of them, not one query per organization.
        let counts = try await (request.db as! any SQLDatabase)
            .raw("SELECT organization_id, COUNT(*) AS members FROM memberships GROUP BY organization_id")
            .all()
            .reduce(into: [UUID: Int]()) { counts, row in
                counts[try row.decode(column: "organization_id", as: UUID.self)] = try row.decode(column: "members", as: Int.self)
            }
        let rows = organizations.map {
            AdminPage.Row(name: $0.name, created: $0.createdAt, memberCount: counts[$0.id!, default: 0])
        }
        return try await HTMLResponse(html: AdminPage.html(rows, Chrome.make(for: request, section: .admin))).encodeResponse(for: request)
    }
}
