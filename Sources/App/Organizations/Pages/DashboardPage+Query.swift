import ADSappCore
import Fluent

extension DashboardPage {
    /// Who the reader is, where, in which role, and how many members the organization has.
    static func query(_ tenant: Tenant) async throws -> Model {
        Model(
            userName: tenant.user.name,
            organizationName: tenant.organization.name,
            role: tenant.role,
            memberCount: try await tenant.scope.query(Membership.self).count()
        )
    }
}
