import Vapor

/// The cookies the app sets. All `HttpOnly` and `SameSite=Lax`; `Secure` unless served over plain-http loopback.
enum Cookies {
    static let session = "adsapp_session"
    static let csrf = "adsapp_csrf"
    static let language = "adsapp_lang"

    static func value(_ string: String, maxAge: Int?, _ configuration: AppConfiguration) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: string,
            maxAge: maxAge,
            path: "/",
            isSecure: configuration.usesSecureCookies,
            isHTTPOnly: true,
            sameSite: .lax
        )
    }

    static func expired(_ configuration: AppConfiguration) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
            isSecure: configuration.usesSecureCookies, isHTTPOnly: true, sameSite: .lax)
    }
}
