import ADSappCore
import Fluent
import Vapor

/// The signed-in person of a request, with the session their cookie names.
struct SignedIn: Sendable {
    let user: User
    let session: UserSession
    /// Every organization the person works in, by name, as the session was read at the start of the
    /// request: what the tenant check and the organization switcher need.
    let memberships: [OrganizationMembership]
    /// The token every state-changing request of this session must carry (see `CSRFProtection`).
    let csrfToken: String
    var userID: UUID { user.id! }
}

extension Request {
    private struct SignedInKey: StorageKey { typealias Value = SignedIn }

    /// Set by `SessionAuthenticator` when the session cookie names a live session.
    var signedIn: SignedIn? {
        get { storage[SignedInKey.self] }
        set { storage[SignedInKey.self] = newValue }
    }

    /// The signed-in person, for handlers behind `RequireSignedIn` (where it is always present).
    func requireSignedIn() throws -> SignedIn {
        guard let signedIn else { throw Abort(.unauthorized) }
        return signedIn
    }

    var isAPIRequest: Bool { url.path.hasPrefix("/api/") }
}

/// Reads the session cookie and resolves it to a signed-in person. Never rejects: routes decide.
struct SessionAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var expired = false
        if let token = request.cookies[Cookies.session]?.string, !token.isEmpty {
            let store = SessionStore(database: request.db, context: request.context)
            if let resolved = try await store.resolve(token: token) {
                request.signedIn = SignedIn(
                    user: resolved.user, session: resolved.session, memberships: resolved.memberships,
                    csrfToken: SessionStore.csrfToken(forSessionToken: token))
            } else {
                expired = true
            }
        }
        let response = try await next.respond(to: request)
        if expired, response.cookies[Cookies.session] == nil {
            response.cookies[Cookies.session] = Cookies.expired(request.context.configuration)
        }
        return response
    }
}

/// Lets only signed-in people through: pages redirect to sign-in, the API answers 401.
struct RequireSignedIn: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.signedIn != nil else {
            if request.isAPIRequest { throw APIError(.unauthorized, code: "unauthenticated", message: "Sign in first.") }
            // Back to the same page, query included, after sign-in; the sign-in page checks it with `SafeRedirect`.
            let next = request.method == .GET ? request.url.path + (request.url.query.map { "?" + $0 } ?? "") : SiteURL.dashboard.path
            return request.redirect(to: SiteURL.signIn.path + "?next=" + (next.addingPercentEncoding(withAllowedCharacters: Self.queryValueAllowed) ?? "/"))
        }
        return try await next.respond(to: request)
    }

    private static let queryValueAllowed = CharacterSet.alphanumerics.intersection(.urlQueryAllowed).union(CharacterSet(charactersIn: "-._~/"))
}

/// Lets only platform operators through. Everyone else sees a 404, as if the page did not exist.
struct RequirePlatformAdmin: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.signedIn?.user.isPlatformAdmin == true else { throw Abort(.notFound) }
        return try await next.respond(to: request)
    }
}
