import Vapor

/// A mailed link that no longer works (or never did): one page and one 404 for unknown, used,
/// withdrawn and expired links alike, so trying tokens teaches nothing.
enum LinkInvalidPage {
    enum Kind {
        case invitation
        case verification
        case passwordReset
    }

    struct Model {
        var kind: Kind
    }

    static func response(_ request: Request, kind: Kind) async throws -> Response {
        try await HTMLResponse(status: .notFound, html: html(Model(kind: kind), Chrome.make(for: request))).encodeResponse(for: request)
    }
}
