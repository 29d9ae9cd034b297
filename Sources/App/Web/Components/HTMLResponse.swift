import SafeHTML
import Vapor

/// A rendered page (or a piece of one) as a response, `text/html; charset=utf-8`.
struct HTMLResponse: AsyncResponseEncodable {
    var status: HTTPResponseStatus = .ok
    private let markup: String

    init(status: HTTPResponseStatus = .ok, html: HTML) {
        self.status = status
        markup = html.render()
    }

    /// A piece of a page rather than a document: what a live page fetches and patches in.
    init(status: HTTPResponseStatus = .ok, fragment: Node) {
        self.status = status
        markup = fragment.render()
    }

    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        return Response(status: status, headers: headers, body: .init(string: markup))
    }
}
