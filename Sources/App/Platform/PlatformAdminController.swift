import Fluent
import Vapor

/// The platform operator's pages. The only code that reads across organizations on purpose.
enum PlatformAdminController {
    /// Every organization, for the platform operator only (guarded by `RequirePlatformAdmin`).
    static func organizations(_ request: Request) async throws -> Response {
        let organizations = try await Organization.query(on: request.db).sort(\.$createdAt, .descending).limit(500).all()
        var rows: [AdminPage.Row] = []
        for organization in organizations {
            let count = try await Membership.query(on: request.db).filter(\.$organizationID == organization.id!).count()
            rows.append(.init(name: organization.name, created: organization.createdAt, memberCount: count))
        }
        return try await HTMLResponse(html: AdminPage.html(rows, Chrome.make(for: request, section: .admin))).encodeResponse(for: request)
    }
}
