import ADSappCore
import Fluent
import Synchronization
import Vapor

/// A signed-in member working inside one organization: the context of every tenant page and API call.
struct Tenant: Sendable {
    let signedIn: SignedIn
    let membership: Membership
    let organization: Organization
    /// The organization's WhatsApp numbers Meta disconnected, counted when the session was read.
    let brokenConnections: Int
    let scope: TenantScope
    private let inboxAccessCache = InboxAccessCache()

    var role: Role { membership.role }
    var organizationID: UUID { scope.organizationID }
    var user: User { signedIn.user }

    /// Throws 403 unless the member's role holds the permission.
    func require(_ permission: Permission) throws {
        guard role.can(permission) else { throw Abort(.forbidden) }
    }

    /// Throws 403 unless the member meets the requirement.
    func require(_ requirement: TenantRequirement) throws {
        if case .permission(let permission) = requirement { try require(permission) }
    }

    /// Which conversations this member may see, loaded on first use and then kept for the request.
    func inboxAccess() async throws -> InboxAccess {
        if let loaded = inboxAccessCache.value.withLock({ $0 }) { return loaded }
        let loaded = try await InboxAccess.of(self)
        inboxAccessCache.value.withLock { $0 = loaded }
        return loaded
    }

    /// The row a path parameter names, if it belongs to this organization. Anything else, a
    /// malformed id included, is 404: another organization's rows look exactly like missing ones.
    func find<M: TenantOwned>(_ model: M.Type, parameter: String, of request: Request) async throws -> M {
        guard let row = try await scope.find(M.self, request.parameters.get(parameter, as: UUID.self)) else { throw Abort(.notFound) }
        return row
    }
}

/// Holds a tenant's inbox access once loaded; a class, so copies of the `Tenant` share it.
private final class InboxAccessCache: Sendable {
    let value = Mutex<InboxAccess?>(nil)
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
        let all = signedIn.memberships
        var current = all.first { $0.membership.organizationID == signedIn.session.organizationID }
        if current == nil, let fallback = all.min(by: { $0.membership.createdAt < $1.membership.createdAt }) {
            // The session pointed at no organization or one the person left: move it to one they are in.
            signedIn.session.organizationID = fallback.membership.organizationID
            try await signedIn.session.update(on: request.db)
            current = fallback
        }
        guard let current else {
            if request.isAPIRequest { throw APIError(.forbidden, code: "no_organization", message: "You are not a member of any organization.") }
            return request.redirect(to: SiteURL.noOrganization.path)
        }
        // An organization that requires two-factor sign-in lets in only members who have it; the
        // account pages, sign-out and the organization switcher are not tenant routes and stay open.
        if current.organization.twoFactorRequiredAt != nil, try await !TwoFactorAccount.isEnabled(userID: signedIn.userID, on: request.db) {
            if request.isAPIRequest {
                throw APIError(
                    .forbidden, code: "two_factor_required",
                    message: "This organization requires two-factor sign-in. Turn it on at \(SiteURL.twoFactor.path), then try again.")
            }
            return request.redirect(to: SiteURL.twoFactor.path + "?required=1")
        }
        request.tenantIfLoaded = Tenant(
            signedIn: signedIn,
            membership: current.membership,
            organization: current.organization,
            brokenConnections: current.brokenConnections,
            scope: TenantScope(organizationID: current.organization.id!, database: request.db)
        )
        return try await next.respond(to: request)
    }
}
