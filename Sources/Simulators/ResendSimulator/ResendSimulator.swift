import Foundation
import Synchronization
import SimulatorSupport
import Vapor

/// An email the simulator accepted, as it arrived.
public struct ResendReceivedEmail: Sendable, Equatable {
    /// The id the simulator answered.
    public var id: String
    public var from: String
    public var to: [String]
    public var subject: String
    public var html: String?
    public var text: String?
    public var replyTo: [String]
    public var headers: [String: String]
    /// The `Idempotency-Key` request header, if sent.
    public var idempotencyKey: String?
    public var userAgent: String?
}

/// An answer the next requests get instead of the normal one, to test how a client copes.
public enum ResendScriptedAnswer: Sendable, Equatable {
    /// 429 `rate_limit_exceeded` with `retry-after` (seconds).
    case rateLimited(retryAfter: Int)
    /// 429 `daily_quota_exceeded`.
    case dailyQuotaExceeded
    /// 500 `application_error`.
    case serverError
    /// 401 `missing_api_key`, whatever the request carried.
    case missingAPIKey
    /// 403 `invalid_api_key`.
    case invalidAPIKey
    /// 422 `validation_error` with this message.
    case validationError(String)
    /// 409 `concurrent_idempotent_requests`.
    case concurrentIdempotentRequests
    /// Waits this long, then answers normally (for client timeouts).
    case delay(TimeInterval)
}

/// A loopback Resend API for tests: `POST /emails` checks the bearer key, the required fields and the
/// `from` format the way Resend's API reference describes, answers Resend's success and error shapes
/// (`{"id"}`, `{"statusCode","message","name"}`), honours `Idempotency-Key` (same key and body: the same
/// id, stored once; same key, another body: 409), and can be told to fail the next requests.
public final class ResendSimulator: Sendable {
    public let apiKey: String
    private let state = Mutex(State())
    private let server = LoopbackServer()

    struct State {
        var emails: [ResendReceivedEmail] = []
        var requestCount = 0
        var script: [ResendScriptedAnswer] = []
        /// Idempotency key to (canonical body, id).
        var idempotent: [String: (body: Data, id: String)] = [:]
    }

    public init(apiKey: String = "re_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")) {
        self.apiKey = apiKey
    }

    // MARK: Server

    /// Starts serving on `host:port` (port 0 picks a free one) and returns the base URL, e.g. `http://127.0.0.1:51234`.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> URL {
        try await server.start(name: "resend-simulator", host: host, port: port) { app in
            app.middleware.use(ResendErrorMiddleware())
            app.on(.POST, "emails", body: .collect(maxSize: "40mb")) { [self] request in try await self.sendEmail(request) }
        }
    }

    public func shutdown() async throws {
        try await server.shutdown()
    }

    public var baseURL: URL? { server.baseURL }

    // MARK: Inspection and scripting for tests

    /// Every email accepted, oldest first (a replay with the same idempotency key is not stored again).
    public var emails: [ResendReceivedEmail] { state.withLock { $0.emails } }
    /// Every `POST /emails` received, answered or refused.
    public var requestCount: Int { state.withLock { $0.requestCount } }

    /// The next `times` requests get `answer` (after any answers scripted before).
    public func script(_ answer: ResendScriptedAnswer, times: Int = 1) {
        state.withLock { $0.script += Array(repeating: answer, count: times) }
    }

    // MARK: POST /emails

    func sendEmail(_ request: Request) async throws -> Response {
        let scripted: ResendScriptedAnswer? = state.withLock { state in
            state.requestCount += 1
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        if let scripted {
            switch scripted {
            case .rateLimited(let seconds):
                throw ResendAPIError(
                    status: .tooManyRequests, name: "rate_limit_exceeded",
                    message:
                        "Too many requests. You can only make 2 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.",
                    headers: [
                        ("retry-after", "\(seconds)"), ("ratelimit-limit", "2"), ("ratelimit-remaining", "0"),
                        ("ratelimit-reset", "\(seconds)"),
                    ])
            case .dailyQuotaExceeded:
                throw ResendAPIError(
                    status: .tooManyRequests, name: "daily_quota_exceeded",
                    message: "You have reached your daily email sending quota.")
            case .serverError:
                throw ResendAPIError(
                    status: .internalServerError, name: "application_error", message: "An unexpected error occurred.")
            case .missingAPIKey:
                throw ResendAPIError.missingAPIKey
            case .invalidAPIKey:
                throw ResendAPIError(status: .forbidden, name: "invalid_api_key", message: "API key is invalid")
            case .validationError(let message):
                throw ResendAPIError(status: .unprocessableEntity, name: "validation_error", message: message)
            case .concurrentIdempotentRequests:
                throw ResendAPIError(
                    status: .conflict, name: "concurrent_idempotent_requests",
                    message: "Same idempotency key used while original request is still in progress.")
            case .delay(let seconds):
                try await Task.sleep(for: .seconds(seconds))
            }
        }

        guard let authorization = request.headers.first(name: .authorization),
            !authorization.trimmingCharacters(in: .whitespaces).isEmpty,
            authorization.trimmingCharacters(in: .whitespaces).lowercased() != "bearer"
        else {
            throw ResendAPIError.missingAPIKey
        }
        guard request.headers.bearerAuthorization?.token == apiKey else {
            // What the sending endpoint answers for a key that does not exist.
            throw ResendAPIError(status: .unauthorized, name: "validation_error", message: "API key is invalid")
        }
        let idempotencyKey = request.headers.first(name: "Idempotency-Key")
        if let idempotencyKey, idempotencyKey.isEmpty || idempotencyKey.count > 256 {
            throw ResendAPIError(
                status: .badRequest, name: "invalid_idempotency_key", message: "The key must be between 1-256 chars.")
        }

        guard let bytes = request.body.data.map({ Data(buffer: $0) }),
            let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any]
        else {
            throw ResendAPIError(
                status: .badRequest, name: "validation_error", message: "The request body is not valid JSON.")
        }
        let email = try Self.validate(object)
        let canonical = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])

        let id: String = try state.withLock { state in
            if let idempotencyKey, let earlier = state.idempotent[idempotencyKey] {
                guard earlier.body == canonical else {
                    throw ResendAPIError(
                        status: .conflict, name: "invalid_idempotent_request",
                        message: "Same idempotency key used with a different request payload.")
                }
                return earlier.id
            }
            let id = UUID().uuidString.lowercased()
            var stored = email
            stored.id = id
            stored.idempotencyKey = idempotencyKey
            stored.userAgent = request.headers.first(name: .userAgent)
            state.emails.append(stored)
            if let idempotencyKey { state.idempotent[idempotencyKey] = (canonical, id) }
            return id
        }
        return try Self.json(.ok, ["id": id])
    }

    /// The body's fields, or the error Resend gives for the first problem.
    static func validate(_ object: [String: Any]) throws -> ResendReceivedEmail {
        func strings(_ key: String) throws -> [String]? {
            switch object[key] {
            case nil, is NSNull: return nil
            case let single as String: return [single]
            case let list as [Any]:
                guard let list = list as? [String] else {
                    throw ResendAPIError(
                        status: .unprocessableEntity, name: "validation_error", message: "The `\(key)` field must be a string or an array of strings.")
                }
                return list
            default:
                throw ResendAPIError(
                    status: .unprocessableEntity, name: "validation_error", message: "The `\(key)` field must be a string or an array of strings.")
            }
        }
        for key in ["from", "to", "subject"] where object[key] == nil || object[key] is NSNull {
            throw ResendAPIError(status: .unprocessableEntity, name: "missing_required_field", message: "Missing `\(key)` field.")
        }
        guard let from = object["from"] as? String, isValidAddress(from) else {
            throw ResendAPIError(
                status: .unprocessableEntity, name: "invalid_from_address",
                message: "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.")
        }
        guard let subject = object["subject"] as? String else {
            throw ResendAPIError(status: .unprocessableEntity, name: "validation_error", message: "The `subject` field must be a string.")
        }
        let to = try strings("to") ?? []
        guard !to.isEmpty, to.count <= 50 else {
            throw ResendAPIError(status: .unprocessableEntity, name: "validation_error", message: "The `to` field must have 1 to 50 addresses.")
        }
        let replyTo = try strings("reply_to") ?? []
        for (field, addresses) in [("to", to), ("reply_to", replyTo)] {
            for address in addresses where !isValidAddress(address) {
                throw ResendAPIError(
                    status: .unprocessableEntity, name: "validation_error",
                    message: "Invalid `\(field)` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.")
            }
        }
        let html = object["html"] as? String
        let text = object["text"] as? String
        guard html != nil || text != nil else {
            throw ResendAPIError(status: .unprocessableEntity, name: "missing_required_field", message: "Missing `html` or `text` field.")
        }
        var headers: [String: String] = [:]
        if let given = object["headers"] {
            guard let given = given as? [String: Any], given.values.allSatisfy({ $0 is String }) else {
                throw ResendAPIError(
                    status: .unprocessableEntity, name: "validation_error", message: "The `headers` field must be an object of strings.")
            }
            headers = given.compactMapValues { $0 as? String }
        }
        return ResendReceivedEmail(
            id: "", from: from, to: to, subject: subject, html: html, text: text, replyTo: replyTo, headers: headers,
            idempotencyKey: nil, userAgent: nil)
    }

    /// `email@example.com` or `Name <email@example.com>` (the name may be quoted).
    static func isValidAddress(_ value: String) -> Bool {
        var email = value.trimmingCharacters(in: .whitespaces)
        if email.hasSuffix(">"), let open = email.lastIndex(of: "<") {
            email = String(email[email.index(after: open)..<email.index(before: email.endIndex)])
        }
        return email.wholeMatch(of: /[^@\s<>",]+@[^@\s<>",]+\.[^@\s<>",]+/) != nil
    }

    static func json(_ status: HTTPResponseStatus, _ object: [String: Any], headers: [(String, String)] = []) throws
        -> Response
    {
        var httpHeaders = HTTPHeaders([("Content-Type", "application/json; charset=utf-8")])
        for (name, value) in headers { httpHeaders.add(name: name, value: value) }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(status: status, headers: httpHeaders, body: .init(data: data))
    }
}

/// Resend's error answer: `{"statusCode": 422, "message": "...", "name": "validation_error"}`.
struct ResendAPIError: Error {
    var status: HTTPResponseStatus
    var name: String
    var message: String
    var headers: [(String, String)] = []

    static let missingAPIKey = ResendAPIError(
        status: .unauthorized, name: "missing_api_key", message: "Missing API key in the authorization header.")

    var response: Response {
        (try? ResendSimulator.json(
            status, ["statusCode": Int(status.code), "message": message, "name": name], headers: headers))
            ?? Response(status: .internalServerError)
    }
}

/// Every failure leaves as a Resend error body.
struct ResendErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let error as ResendAPIError {
            return error.response
        } catch let abort as any AbortError where abort.status == .notFound {
            return ResendAPIError(status: .notFound, name: "not_found", message: "The requested endpoint does not exist.")
                .response
        } catch let abort as any AbortError where abort.status == .methodNotAllowed {
            return ResendAPIError(
                status: .methodNotAllowed, name: "method_not_allowed", message: "Method is not allowed for the requested path."
            ).response
        } catch {
            return ResendAPIError(status: .internalServerError, name: "application_error", message: "\(error)").response
        }
    }
}
