import ADSappCore
import Vapor

/// Who may reach a route. Every route states it where it is registered (`TenantRoutes`,
/// `MarkedRoutes`); it is kept in the route's `userInfo`, so the route table (`RouteTableTests`)
/// prints it beside each route and fails on a route that has none.
enum RouteAccess: Sendable, Hashable, CustomStringConvertible {
    /// Anyone, signed in or not.
    case anyone
    /// Signed by a vendor (a webhook), never by a session.
    case vendorSigned
    /// Anyone holding a mailed link's token, posted from outside this site: mail providers send
    /// RFC 8058 one-click unsubscribes without cookies or a CSRF token, so the token is the only proof.
    case oneClickLink
    /// Anyone signed in, in any organization or none.
    case signedIn
    /// A platform operator.
    case platformOperator
    /// A member of the organization they work in, meeting the requirement.
    case tenant(TenantRequirement)

    var description: String {
        switch self {
        case .anyone: "public"
        case .vendorSigned: "webhook"
        case .oneClickLink: "one-click link"
        case .signedIn: "signed-in"
        case .platformOperator: "platform-operator"
        case .tenant(let requirement): "tenant: \(requirement)"
        }
    }

    static let userInfoKey = "adsapp.access"

    /// Requests authenticated by something other than a cookie (a signature, a link's token): no CSRF check.
    var isExemptFromCSRF: Bool { self == .vendorSigned || self == .oneClickLink }
}

/// What a tenant route asks of the member: a permission of their role, or (stated on purpose)
/// only that they are a member.
enum TenantRequirement: Sendable, Hashable, CustomStringConvertible {
    case permission(Permission)
    /// Membership alone: the member's own things (their profile, their jobs, the page script).
    case anyMember

    var description: String {
        switch self {
        case .permission(let permission): permission.rawValue
        case .anyMember: "any member"
        }
    }
}

extension Route {
    /// Who may reach this route; `nil` for a route registered without stating it (a test fails on it).
    var access: RouteAccess? {
        get { userInfo[RouteAccess.userInfoKey] as? RouteAccess }
        set { userInfo[RouteAccess.userInfoKey] = newValue }
    }
}

/// Registers routes that are not tenant routes, each marked with who may reach it.
struct MarkedRoutes {
    let builder: any RoutesBuilder
    let access: RouteAccess

    init(_ builder: any RoutesBuilder, _ access: RouteAccess) {
        self.builder = builder
        self.access = access
    }

    func grouped(_ path: PathComponent...) -> MarkedRoutes {
        MarkedRoutes(builder.grouped(path), access)
    }

    @discardableResult
    func on<R: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: [PathComponent], body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> R
    ) -> Route {
        let route = builder.on(method, path, body: body, use: handler)
        route.access = access
        return route
    }

    @discardableResult
    func on<R: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ url: SiteURL, body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> R
    ) -> Route {
        on(method, url.pathComponents, body: body, use: handler)
    }

    @discardableResult
    func get<R: AsyncResponseEncodable>(_ url: SiteURL, use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.GET, url.pathComponents, use: handler)
    }

    @discardableResult
    func get<R: AsyncResponseEncodable>(_ path: PathComponent..., use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.GET, path, use: handler)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(_ url: SiteURL, use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.POST, url.pathComponents, use: handler)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(_ path: PathComponent..., use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.POST, path, use: handler)
    }

    @discardableResult
    func delete<R: AsyncResponseEncodable>(_ path: PathComponent..., use handler: @escaping @Sendable (Request) async throws -> R) -> Route {
        on(.DELETE, path, use: handler)
    }
}
