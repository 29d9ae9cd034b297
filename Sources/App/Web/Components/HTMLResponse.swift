import SafeHTML
import Vapor

/// A rendered page as a response, `text/html; charset=utf-8`.
struct HTMLResponse: AsyncResponseEncodable {
    var status: HTTPResponseStatus = .ok
    let html: HTML

    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        return Response(status: status, headers: headers, body: .init(string: html.render()))
    }
}
