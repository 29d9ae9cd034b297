import Foundation
import Vapor

/// The hand-written stylesheet and script, served from the bundle with an ETag.
enum AssetsController {
    struct Asset: Sendable {
        let body: String
        let etag: String
        let contentType: String

        init(_ name: String, _ fileExtension: String, contentType: String) {
            let url = Bundle.module.url(forResource: name, withExtension: fileExtension, subdirectory: "Resources/Public")!
            body = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            etag = "\"" + String(sha256Hex(body).prefix(16)) + "\""
            self.contentType = contentType
        }
    }

    private static let stylesheetAsset = Asset("app", "css", contentType: "text/css; charset=utf-8")
    private static let progressAsset = Asset("progress", "js", contentType: "text/javascript; charset=utf-8")
    private static let inboxAsset = Asset("inbox", "js", contentType: "text/javascript; charset=utf-8")
    private static let segmentAsset = Asset("segments", "js", contentType: "text/javascript; charset=utf-8")
    private static let campaignAsset = Asset("campaign", "js", contentType: "text/javascript; charset=utf-8")

    static func stylesheet(_ request: Request) async throws -> Response { serve(stylesheetAsset, request) }
    static func progressScript(_ request: Request) async throws -> Response { serve(progressAsset, request) }
    static func segmentScript(_ request: Request) async throws -> Response { serve(segmentAsset, request) }
    static func campaignScript(_ request: Request) async throws -> Response { serve(campaignAsset, request) }
    static func inboxScript(_ request: Request, _: Tenant) async throws -> Response { serve(inboxAsset, request) }

    private static func serve(_ asset: Asset, _ request: Request) -> Response {
        if request.headers.first(name: .ifNoneMatch) == asset.etag { return Response(status: .notModified) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: asset.contentType)
        headers.replaceOrAdd(name: .eTag, value: asset.etag)
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(string: asset.body))
    }
}
