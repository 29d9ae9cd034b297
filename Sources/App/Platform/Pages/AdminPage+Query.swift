import Fluent
import SQLKit
import Vapor

extension AdminPage {
    /// Every organization (the newest 500) with its member count, and the platform number's holder.
    static func query(_ request: Request, notice: String?, error: String?) async throws -> Model {
        let organizations = try await Organization.query(on: request.db).sort(\.$createdAt, .descending).limit(500).all()
        // One grouped count for all of them, not one query per organization.
        let counts = try await request.db.sql
            .raw("SELECT organization_id, COUNT(*) AS members FROM memberships GROUP BY organization_id")
            .all()
            .reduce(into: [UUID: Int]()) { counts, row in
                counts[try row.decode(column: "organization_id", as: UUID.self)] = try row.decode(column: "members", as: Int.self)
            }
        let rows = organizations.map {
            Row(name: $0.name, created: $0.createdAt, memberCount: counts[$0.id!, default: 0], id: $0.id)
        }
        var number: PlatformNumber?
        if let status = try await PlatformAdminController.assignment(request).status() {
            let holder = try await status.organizationID.asyncMap { try await Organization.find($0, on: request.db) }
            number = .init(phoneNumberID: status.phoneNumberID, organizationID: status.organizationID, organizationName: holder??.name)
        }
        return Model(rows: rows, number: number, notice: notice, error: error)
    }
}
