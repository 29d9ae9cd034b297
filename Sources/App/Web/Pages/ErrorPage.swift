import SafeHTML
import Vapor

/// Friendly error pages in the reader's language. They never show internals; a reference lets
/// support find the log lines of the request.
enum ErrorPage {
    static func response(status: HTTPResponseStatus, request: Request) -> Response {
        // The chrome of an error page must not fail itself: no database look-ups here.
        var chrome = Chrome(t: request.localizer, csrfToken: request.csrfToken, currentPath: request.url.path)
        if let signedIn = request.signedIn {
            chrome.account = .init(name: signedIn.user.name, email: signedIn.user.email, isPlatformAdmin: signedIn.user.isPlatformAdmin)
        }
        let reference = request.logger[metadataKey: "request-id"]?.description ?? request.id
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        return Response(status: status, headers: headers, body: .init(string: html(status: status, reference: reference, chrome).render()))
    }

    static func html(status: HTTPResponseStatus, reference: String, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let (title, body): (TextKey, TextKey) = switch status.code {
        case 400, 405, 413, 415, 422: (.error400Title, .error400Body)
        case 401, 403: (.error403Title, .error403Body)
        case 404: (.error404Title, .error404Body)
        case 429: (.error429Title, .error429Body)
        default: (.error500Title, .error500Body)
        }
        return Layout.page(t(title), chrome, .div(
            .class("auth-card error-card"),
            .p(.class("error-code"), .text(String(status.code))),
            .h1(.text(t(title))),
            .p(.text(t(body))),
            .p(.class("muted"), .text(t(.errorReference, ["id": reference]))),
            .a(.class("button-primary"), .href(SiteURL.dashboard.path), .text(t(.errorBack)))
        ))
    }
}
