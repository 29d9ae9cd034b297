import ADSappCore
import SQLKit

extension DashboardPage {
    /// Who the reader is, where, in which role, and how many members the organization has.
    static func query(_ tenant: Tenant) async throws -> Model {
        Model(
            userName: tenant.user.name,
            organizationName: tenant.organization.name,
            role: tenant.role,
            memberCount: try await tenant.scope.sql { "SELECT COUNT(*) AS n FROM memberships WHERE organization_id = \(bind: $0)" }
                .first()?.decode(column: "n", as: Int.self) ?? 0
        )
    }
}
