import Vapor

/// Refuses every state-changing request that does not carry the session's CSRF token.
///
/// Signed-in forms carry the session's own token (derived from the session cookie's secret);
/// forms shown before sign-in carry the value of the `adsapp_csrf` cookie (double submit), so that a
/// foreign site can neither sign someone in to an account of its own nor post as them.
/// Forms send the token as `_csrf`; scripts and API calls with a session cookie as `X-CSRF-Token`.
struct CSRFProtection: AsyncMiddleware {
    static let formField = "_csrf"
    static let header = "X-CSRF-Token"

    /// Requests authenticated by something other than a cookie (signatures, API keys) are exempt.
    static let exemptPrefixes = ["/api/webhooks/"]
    /// The largest form a page may post (a 100 MB document for WhatsApp, plus the other fields).
    static let maxMultipartBytes = 101_000_000

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let safe: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]
        if !safe.contains(request.method), !Self.exemptPrefixes.contains(where: request.url.path.hasPrefix) {
            try await verify(request)
        }
        return try await next.respond(to: request)
    }

    private func verify(_ request: Request) async throws {
        let expected = request.signedIn?.csrfToken ?? request.cookies[Cookies.csrf]?.string
        var provided = request.headers.first(name: Self.header)
        if provided == nil, request.headers.contentType == .urlEncodedForm {
            if request.body.data == nil { _ = try await request.body.collect(max: 1 << 20).get() }
            provided = try? request.content.get(String.self, at: Self.formField)
        } else if provided == nil, request.headers.contentType?.type == "multipart", request.signedIn != nil {
            // File uploads, which only signed-in pages post: collect the body (within the largest form
            // a page may post) to read the field. Nobody else makes this server buffer a large body.
            if request.body.data == nil { _ = try await request.body.collect(max: Self.maxMultipartBytes).get() }
            provided = try? request.content.get(String.self, at: Self.formField)
        }
        // Tokens are 43 characters; a shorter cookie was not set by us.
        guard let expected, expected.count >= 32, let provided, constantTimeEquals(expected, provided) else {
            request.logger.notice("CSRF check failed", metadata: ["path": .string(request.url.path)])
            throw APIError(.forbidden, code: "csrf_failed", message: "The form expired or did not come from this site. Reload the page and try again.")
        }
    }
}

/// Sets the anonymous CSRF cookie when a page rendered a token for it. Runs outside the error
/// responses, so an error page's forms (the language switch) work for a first-time visitor too.
struct CSRFCookieIssuer: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if let issued = request.issuedAnonymousCSRFToken {
            response.cookies[Cookies.csrf] = Cookies.value(issued, maxAge: nil, request.context.configuration)
        }
        return response
    }
}

extension Request {
    private struct IssuedCSRFKey: StorageKey { typealias Value = String }

    fileprivate var issuedAnonymousCSRFToken: String? { storage[IssuedCSRFKey.self] }

    /// The token to embed in forms of this page. Before sign-in it comes from (or creates) the CSRF cookie.
    var csrfToken: String {
        if let signedIn { return signedIn.csrfToken }
        if let existing = cookies[Cookies.csrf]?.string, existing.count >= 32 { return existing }
        if let issued = storage[IssuedCSRFKey.self] { return issued }
        let token = context.dependencies.randomToken(bytes: 32)
        storage[IssuedCSRFKey.self] = token
        return token
    }
}
