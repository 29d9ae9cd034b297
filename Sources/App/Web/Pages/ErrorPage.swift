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
}
