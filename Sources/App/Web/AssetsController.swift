import Foundation
import Vapor

/// The one hand-written stylesheet, served from the bundle with an ETag.
enum AssetsController {
    private static let stylesheet: (body: String, etag: String) = {
        let url = Bundle.module.url(forResource: "app", withExtension: "css", subdirectory: "Resources/Public")!
        let body = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return (body, "\"" + String(sha256Hex(body).prefix(16)) + "\"")
    }()

    static func stylesheet(_ request: Request) async throws -> Response {
        let (body, etag) = stylesheet
        if request.headers.first(name: .ifNoneMatch) == etag { return Response(status: .notModified) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/css; charset=utf-8")
        headers.replaceOrAdd(name: .eTag, value: etag)
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }
}
