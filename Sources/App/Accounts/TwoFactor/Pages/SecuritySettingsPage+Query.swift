import Fluent
import SQLKit
import Vapor

extension SecuritySettingsPage {
    static func query(_ request: Request, _ tenant: Tenant, notice: String?, error: String?) async throws -> Model {
        let members = try await tenant.scope.query(Membership.self).all().map { $0.$user.id }
        let enabled = try await TwoFactorCredential.query(on: request.db)
            .filter(\.$userID ~~ members).filter(\.$enabledAt != nil).count()
        return Model(
            organizationName: tenant.organization.name, required: tenant.organization.twoFactorRequiredAt != nil,
            canManage: tenant.role.can(.manageSecurity), membersWithout: max(0, members.count - enabled), notice: notice, error: error)
    }
}
