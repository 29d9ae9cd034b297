import Vapor

/// Refuses every state-changing request that does not come from this app's own pages.
///
/// Two checks, the cheap one first:
/// 1. *Where from*, on the headers alone, before any of the body is read: a browser names the page
///    that made a request in `Origin` (every POST) and `Sec-Fetch-Site`; either naming another site
///    is refused. A multipart body (an upload of up to 100 MB) is read only when the request is
///    signed in and one of the two positively says it comes from this app (`APP_URL`'s origin),
///    so a foreign page or a token-less script never gets the server to read its upload.
/// 2. *The token*: signed-in forms carry the session's own token (derived from the session cookie's
///    secret); forms shown before sign-in carry the value of the `adsapp_csrf` cookie (double
///    submit), so that a foreign site can neither sign someone in to an account of its own nor post
///    as them. Forms send the token as `_csrf`; scripts and API calls with a session cookie as
///    `X-CSRF-Token`, which is checked without reading the body at all.
struct CSRFProtection: AsyncMiddleware {
    static let formField = "_csrf"
    static let header = "X-CSRF-Token"

    /// The largest form a page may post (a 100 MB document for WhatsApp, plus the other fields).
    static let maxMultipartBytes = 101_000_000

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let safe: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]
        // Exempt: exactly the routes (method and path) marked as authenticated by something other than
        // a cookie where they are registered (`RouteAccess.isExemptFromCSRF`: webhooks, one-click links).
        // The router has matched the request before any middleware runs; an unknown path is checked.
        if !safe.contains(request.method), request.route?.access?.isExemptFromCSRF != true {
            let origin = RequestOrigin(request)
            guard !origin.isForeign else { throw refusal(request, "foreign origin") }
            try await verifyToken(request, origin: origin)
        }
        return try await next.respond(to: request)
    }

    private func verifyToken(_ request: Request, origin: RequestOrigin) async throws {
        let expected = request.signedIn?.csrfToken ?? request.cookies[Cookies.csrf]?.string
        var provided = request.headers.first(name: Self.header)
        if provided == nil, request.headers.contentType == .urlEncodedForm {
            if request.body.data == nil { _ = try await request.body.collect(max: 1 << 20).get() }
            provided = try? request.content.get(String.self, at: Self.formField)
        } else if provided == nil, request.headers.contentType?.type == "multipart" {
            // Only signed-in pages post files, and only our own pages: anyone else is refused on the headers.
            guard request.signedIn != nil, origin.isApp else { throw refusal(request, "multipart without session or app origin") }
            if request.body.data == nil { _ = try await request.body.collect(max: Self.maxMultipartBytes).get() }
            provided = try? request.content.get(String.self, at: Self.formField)
        }
        // Tokens are 43 characters; a shorter cookie was not set by us.
        guard let expected, expected.count >= 32, let provided, constantTimeEquals(expected, provided) else {
            throw refusal(request, "token")
        }
    }

    private func refusal(_ request: Request, _ reason: String) -> APIError {
        request.logger.notice("CSRF check failed", metadata: ["path": .string(request.url.path), "reason": .string(reason)])
        return APIError(.forbidden, code: "csrf_failed", message: "The form expired or did not come from this site. Reload the page and try again.")
    }
}

/// What a request's `Origin` and `Sec-Fetch-Site` headers say about the page that made it.
struct RequestOrigin {
    /// A header names another site (or an opaque origin, `Origin: null`).
    let isForeign: Bool
    /// A header names this app: `Origin` equal to `APP_URL`'s origin, or `Sec-Fetch-Site: same-origin`.
    let isApp: Bool

    init(_ request: Request) {
        self.init(
            origin: request.headers.first(name: .origin), fetchSite: request.headers.first(name: "Sec-Fetch-Site"),
            appURL: request.context.configuration.appURL)
    }

    init(origin: String?, fetchSite: String?, appURL: URL) {
        let site = fetchSite?.trimmingCharacters(in: .whitespaces).lowercased()
        let originIsApp = origin.map { Self.isAppOrigin($0, appURL: appURL) }
        // `none` is a person typing or bookmarking a URL: not a page of another site.
        isForeign = originIsApp == false || (site != nil && site != "same-origin" && site != "none")
        isApp = !isForeign && (originIsApp == true || site == "same-origin")
    }

    /// Same scheme, host and port as `APP_URL`, and nothing else in the header.
    static func isAppOrigin(_ origin: String, appURL: URL) -> Bool {
        guard let url = URLComponents(string: origin.trimmingCharacters(in: .whitespaces)), url.path.isEmpty || url.path == "/",
            url.user == nil, url.password == nil, url.query == nil, url.fragment == nil,
            let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
            let appScheme = appURL.scheme?.lowercased(), let appHost = appURL.host?.lowercased()
        else { return false }
        func port(_ explicit: Int?, _ scheme: String) -> Int? { explicit ?? ["http": 80, "https": 443][scheme] }
        return scheme == appScheme && host == appHost && port(url.port, scheme) == port(appURL.port, appScheme)
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
