import AsyncHTTPClient
import Crypto
import Foundation
import Vapor

/// Posts webhook bodies the way Meta does: JSON, signed with the app secret over the exact bytes.
struct WebhookSender: Sendable {
    let appSecret: String

    /// Meta posts webhooks over many connections at once; the shared client's eight would queue them
    /// here and count the wait as the app's. Lives as long as the process, like `HTTPClient.shared`.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func signature(of body: Data, appSecret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(appSecret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Posts `body` with a signature header; `signature` overrides the computed one (tests of bad signatures).
    func post(_ body: Data, to url: URL, signature: String? = nil) async throws -> HTTPResponseStatus {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "facebookexternalua")
        request.headers.add(name: "X-Hub-Signature-256", value: signature ?? Self.signature(of: body, appSecret: appSecret))
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status
    }
}
