import Vapor

/// Headers that make browsers refuse inline scripts, framing and content sniffing.
///
/// The rule for `Content-Security-Policy`: a handler that set its own keeps it. A response that is
/// not a page (an uploaded file served back with `sandbox`) knows better than the page default,
/// and this middleware must never weaken it by overwriting. Every other header here is always set.
struct SecurityHeaders: AsyncMiddleware {
    let isHTTPS: Bool

    static let contentSecurityPolicy = contentSecurityPolicy(formsMayGoTo: [])

    /// The page policy; `origins` are the other sites this page's forms may end up on (browsers apply
    /// `form-action` to the redirects a form submission follows, such as the billing page's to Stripe).
    static func contentSecurityPolicy(formsMayGoTo origins: [String]) -> String {
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            (["form-action 'self'"] + origins).joined(separator: " "),
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ].joined(separator: "; ")
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if !response.headers.contains(name: "Content-Security-Policy") {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        }
        let headers = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if isHTTPS {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains")
        }
        if response.headers.first(name: .cacheControl) == nil {
            // Pages show private data: no shared or back-button caches.
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}
