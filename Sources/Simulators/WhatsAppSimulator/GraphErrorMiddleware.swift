import Vapor

/// Turns every failure into a Graph API error body, so no Vapor-shaped error ever leaves the simulator.
struct GraphErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let error as GraphAPIError {
            return error.response
        } catch let abort as any AbortError where abort.status == .notFound {
            return GraphAPIError(
                httpStatus: .badRequest, code: 2500, type: "OAuthException",
                message: "Unknown path components: \(request.url.path)"
            ).response
        } catch {
            return GraphAPIError.invalidParameter("\(error)").response
        }
    }
}
