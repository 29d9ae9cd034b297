import ADSappCore
import Fluent
import Vapor

/// A signed-in member working inside one organization: the context of every tenant page and API call.
struct Tenant: Sendable {
    let signedIn: SignedIn
    let membership: Membership
    let organization: Organization
    let scope: TenantScope

    var role: Role { membership.role }
    var organizationID: UUID { scope.organizationID }
    var user: User { signedIn.user }

    /// Throws 403 unless the member's role holds the permission.
    func require(_ permission: Permission) throws {
        guard role.can(permission) else { throw Abort(.forbidden) }
    }
}

extension Request {
    private struct TenantKey: StorageKey { typealias Value = Tenant }

    var tenantIfLoaded: Tenant? {
        get { storage[TenantKey.self] }
        set { storage[TenantKey.self] = newValue }
    }

    /// The tenant context, for handlers behind `RequireTenant` (where it is always present).
    func tenant() throws -> Tenant {
        guard let tenant = tenantIfLoaded else { throw Abort(.unauthorized) }
        return tenant
    }
}

/// Resolves the organization a signed-in person works in from their session and checks their
/// membership on every request, so a removed member loses access at once.
struct RequireTenant: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let signedIn = try request.requireSignedIn()
        let memberships = Memberships(database: request.db)
        var membership: Membership?
        if let organizationID = signedIn.session.organizationID {
            membership = try await memberships.find(userID: signedIn.userID, organizationID: organizationID)
        }
        if membership == nil, let fallback = try await memberships.first(userID: signedIn.userID) {
            // The session pointed at no organization or one the person left: move it to one they are in.
            signedIn.session.organizationID = fallback.organizationID
            try await signedIn.session.update(on: request.db)
            membership = fallback
        }
        guard let membership, let organization = try await Organization.find(membership.organizationID, on: request.db) else {
            if request.isAPIRequest { throw APIError(.forbidden, code: "no_organization", message: "You are not a member of any organization.") }
            return request.redirect(to: SiteURL.noOrganization.path)
        }
        request.tenantIfLoaded = Tenant(
            signedIn: signedIn,
            membership: membership,
            organization: organization,
            scope: TenantScope(organizationID: organization.id!, database: request.db)
        )
        return try await next.respond(to: request)
    }
}
