import ADSappCore
import Vapor

/// Turns every error into the answer its audience expects: the JSON error shape for `/api/`,
/// a friendly page in the reader's language for everyone else. Server errors are logged with
/// the request id and never show internals.
struct ErrorResponses: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return response(for: error, request)
        }
    }

    private func response(for error: any Error, _ request: Request) -> Response {
        let (status, code, message) = describe(error, request)
        if status.code >= 500 {
            request.logger.report(error: error)
        } else {
            request.logger.debug("request refused", metadata: ["status": .stringConvertible(status.code), "code": .string(code)])
        }
        let response: Response
        if request.isAPIRequest {
            response = Response(status: status)
            try? response.content.encode(APIErrorBody(error: .init(code: code, message: message)), as: .json)
        } else {
            response = ErrorPage.response(status: status, request: request)
        }
        if case let abort as any AbortError = error {
            for (name, value) in abort.headers where name.lowercased() == "retry-after" || name.lowercased() == "location" {
                response.headers.replaceOrAdd(name: name, value: value)
            }
        }
        return response
    }

    private func describe(_ error: any Error, _ request: Request) -> (HTTPResponseStatus, String, String) {
        switch error {
        case let error as APIError:
            return (error.status, error.code, error.message)
        case let failure as ValidationFailure:
            let api = APIError.validation(failure)
            return (api.status, api.code, api.message)
        case let error as DecodingError:
            return (.badRequest, "invalid_body", Self.explain(error, isJSON: request.headers.contentType == .json))
        case let abort as any AbortError where abort.status.code < 500:
            return (abort.status, Self.code(for: abort.status), abort.reason)
        default:
            return (.internalServerError, "internal_error", "Something went wrong on our side. The error was logged.")
        }
    }

    /// What is wrong with a body that did not decode, naming the field where there is one.
    static func explain(_ error: DecodingError, isJSON: Bool) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue) is required."
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context)) has the wrong type."
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "\(path(context)) is not valid."
        default:
            return isJSON ? "The request body is not valid JSON." : "The request body is not valid for this endpoint."
        }
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .unauthorized: "unauthenticated"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .payloadTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .tooManyRequests: "rate_limited"
        default: "http_\(status.code)"
        }
    }
}
