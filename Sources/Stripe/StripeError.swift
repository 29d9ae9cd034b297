import Foundation

/// What went wrong with a Stripe request, from Stripe's error body
/// (`{"error": {"type", "code", "message", "param", "decline_code"}}`) and the HTTP status, as its
/// error reference documents them.
public struct StripeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// 401: the secret key is wrong or revoked.
        case authentication
        /// 403: the key may not do this.
        case permission
        /// 400 / 404: a bad parameter, a missing object (`code` says which).
        case invalidRequest
        /// 402: the card was declined or a payment failed.
        case card
        /// An idempotency key reused with other parameters, or still in flight.
        case idempotency
        /// 409: another request changed the object at the same time.
        case conflict
        /// 429: too many requests.
        case rateLimited
        /// 5xx or 424: trouble on Stripe's side.
        case api
        /// No answer, or one that is not Stripe's: the request may or may not have been carried out.
        case connection
    }

    public var kind: Kind
    public var httpStatus: Int?
    /// Stripe's `error.type`, `error.code`, `error.param` and `error.message` as sent.
    public var type: String?
    public var code: String?
    public var param: String?
    public var message: String
    /// Stripe's `Request-Id`, for support.
    public var requestID: String?
    /// Seconds Stripe asked us to wait (`Retry-After`).
    public var retryAfter: TimeInterval?

    public init(
        kind: Kind, httpStatus: Int? = nil, type: String? = nil, code: String? = nil, param: String? = nil, message: String,
        requestID: String? = nil, retryAfter: TimeInterval? = nil
    ) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.type = type
        self.code = code
        self.param = param
        self.message = message
        self.requestID = requestID
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = "Stripe \(kind.rawValue) error"
        if let httpStatus { text += " (HTTP \(httpStatus)" + (code.map { ", \($0)" } ?? "") + ")" }
        text += ": " + message
        if let param { text += " [\(param)]" }
        return text
    }

    /// Whether the same request may go again (with the same idempotency key).
    public var isTransient: Bool {
        switch kind {
        case .conflict, .rateLimited, .api, .connection: true
        case .idempotency: code == "idempotency_key_in_use"
        case .authentication, .permission, .invalidRequest, .card: false
        }
    }

    struct Body: Decodable {
        struct Detail: Decodable {
            var type: String?
            var code: String?
            var param: String?
            var message: String?
        }
        var error: Detail
    }

    /// The error for an answer that was not a 2xx.
    static func from(status: Int, body: Data, requestID: String?, retryAfter: TimeInterval?) -> StripeError {
        let detail = (try? JSONDecoder().decode(Body.self, from: body))?.error
        let kind: Kind =
            switch (status, detail?.type) {
            case (_, "idempotency_error"): .idempotency
            case (_, "card_error"), (402, _): .card
            case (401, _): .authentication
            case (403, _): .permission
            case (409, _): .conflict
            case (429, _): .rateLimited
            case (424, _), (500..., _): .api
            case (_, "api_error"): .api
            default: .invalidRequest
            }
        return StripeError(
            kind: kind, httpStatus: status, type: detail?.type, code: detail?.code, param: detail?.param,
            message: detail?.message ?? "Stripe answered HTTP \(status)", requestID: requestID, retryAfter: retryAfter)
    }
}
