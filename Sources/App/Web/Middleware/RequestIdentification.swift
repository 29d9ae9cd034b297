import Vapor

/// Gives every request an id that appears on each of its log lines and in the `X-Request-ID`
/// response header. A well-formed id from a proxy in front is kept, so logs line up end to end.
struct RequestIdentification: AsyncMiddleware {
    static let header = "X-Request-ID"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Vapor's own `request.id` adopts any incoming header, so a malformed one is replaced here.
        let id: String
        if let incoming = request.headers.first(name: Self.header) {
            id = Self.isWellFormed(incoming) ? incoming : UUID().uuidString
        } else {
            id = request.id
        }
        request.logger[metadataKey: "request-id"] = .string(id)
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: Self.header, value: id)
        return response
    }

    static func isWellFormed(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0 == "_") }
    }
}
