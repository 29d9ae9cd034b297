import ADSappCore
import Vapor

/// Registers the routes of members working inside an organization. Each route states what it
/// requires where it is registered:
///
///     tenant.get(.inbox, requires: .viewConversations, use: InboxController.list)
///     api.put("me", "availability", requires: .replyToConversations, use: InboxAPIController.setAvailability)
///     tenant.get(.job(.key), requires: .anyMember, use: JobsController.page)
///
/// The tenant is resolved by `RequireTenant` and the requirement checked once per request, before
/// the handler runs; the handler gets the `Tenant` (whose `inboxAccess()` loads once per request).
/// Checks that depend on the data (may this member see this conversation? may they grant
/// ownership?) stay in the handler.
struct TenantRoutes {
    /// A builder behind `RequireSignedIn` and `RequireTenant`.
    let builder: any RoutesBuilder

    init(_ builder: any RoutesBuilder) {
        self.builder = builder
    }

    func grouped(_ path: PathComponent...) -> TenantRoutes {
        TenantRoutes(builder.grouped(path))
    }

    typealias Handler<R> = @Sendable (Request, Tenant) async throws -> R

    @discardableResult
    func on<R: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: [PathComponent], requires requirement: TenantRequirement,
        body: HTTPBodyStreamStrategy = .collect, use handler: @escaping Handler<R>
    ) -> Route {
        let route = builder.on(method, path, body: body) { request async throws -> Response in
            let tenant = try request.tenant()
            try tenant.require(requirement)
            return try await handler(request, tenant).encodeResponse(for: request)
        }
        route.access = .tenant(requirement)
        return route
    }

    // A permission or `.anyMember`, by a SiteURL or by path components, for each method.

    @discardableResult
    func on<R: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ url: SiteURL, requires permission: Permission,
        body: HTTPBodyStreamStrategy = .collect, use handler: @escaping Handler<R>
    ) -> Route {
        on(method, url.pathComponents, requires: .permission(permission), body: body, use: handler)
    }

    @discardableResult
    func get<R: AsyncResponseEncodable>(_ url: SiteURL, requires permission: Permission, use handler: @escaping Handler<R>) -> Route {
        on(.GET, url.pathComponents, requires: .permission(permission), use: handler)
    }

    @discardableResult
    func get<R: AsyncResponseEncodable>(_ url: SiteURL, requires requirement: TenantRequirement, use handler: @escaping Handler<R>) -> Route {
        on(.GET, url.pathComponents, requires: requirement, use: handler)
    }

    @discardableResult
    func get<R: AsyncResponseEncodable>(_ path: PathComponent..., requires permission: Permission, use handler: @escaping Handler<R>) -> Route {
        on(.GET, path, requires: .permission(permission), use: handler)
    }

    @discardableResult
    func get<R: AsyncResponseEncodable>(_ path: PathComponent..., requires requirement: TenantRequirement, use handler: @escaping Handler<R>) -> Route {
        on(.GET, path, requires: requirement, use: handler)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(_ url: SiteURL, requires permission: Permission, use handler: @escaping Handler<R>) -> Route {
        on(.POST, url.pathComponents, requires: .permission(permission), use: handler)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(_ path: PathComponent..., requires permission: Permission, use handler: @escaping Handler<R>) -> Route {
        on(.POST, path, requires: .permission(permission), use: handler)
    }

    @discardableResult
    func put<R: AsyncResponseEncodable>(_ path: PathComponent..., requires permission: Permission, use handler: @escaping Handler<R>) -> Route {
        on(.PUT, path, requires: .permission(permission), use: handler)
    }

    @discardableResult
    func patch<R: AsyncResponseEncodable>(_ path: PathComponent..., requires permission: Permission, use handler: @escaping Handler<R>) -> Route {
        on(.PATCH, path, requires: .permission(permission), use: handler)
    }

    @discardableResult
    func delete<R: AsyncResponseEncodable>(_ path: PathComponent..., requires permission: Permission, use handler: @escaping Handler<R>) -> Route {
        on(.DELETE, path, requires: .permission(permission), use: handler)
    }
}
