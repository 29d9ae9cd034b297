import Vapor

extension NotificationSettingsPage {
    static func query(_ request: Request, _ tenant: Tenant, notice: String?) async throws -> Model {
        let preference = try await NotificationPreference.of(membershipID: try tenant.membership.requireID(), in: tenant.scope, now: request.now)
        return Model(
            organizationName: tenant.organization.name, email: tenant.user.email, mention: preference.mention, assignment: preference.assignment,
            digest: preference.dailyDigest, notice: notice)
    }
}
