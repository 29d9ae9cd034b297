import SafeHTML
import Vapor

extension ErrorPage {
    static func html(status: HTTPResponseStatus, reference: String, _ chrome: Chrome) -> HTML {
        let t = chrome.t
        let (title, body): (TextKey, TextKey) =
            switch status.code {
            case 400, 405, 413, 415, 422: (.error400Title, .error400Body)
            case 401, 403: (.error403Title, .error403Body)
            case 404: (.error404Title, .error404Body)
            case 429: (.error429Title, .error429Body)
            default: (.error500Title, .error500Body)
            }
        return Layout.page(
            t(title), chrome,
            .div(
                .class("auth-card error-card"),
                .p(.class("error-code"), .text(String(status.code))),
                .h1(.text(t(title))),
                .p(.text(t(body))),
                .p(.class("muted"), .text(t(.errorReference, ["id": reference]))),
                .a(.class("button-primary"), .href(SiteURL.dashboard.path), .text(t(.errorBack)))
            ))
    }
}
