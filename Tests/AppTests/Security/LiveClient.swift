@testable import App
import AsyncHTTPClient
import Foundation
import NIOCore
import Vapor

/// The app on a real socket, and a client that sends many requests at once: attacks on
/// throttling are races, and the client address is the socket's peer, neither of which the
/// in-memory tester has.
struct LiveClient {
    let port: Int
    let client: HTTPClient
    /// An anonymous CSRF token, sent as cookie and form field (double submit), as a browser would after GET /signin.
    static let csrf = String(repeating: "t", count: 43)

    static func run(_ app: TestApp, _ body: (LiveClient) async throws -> Void) async throws {
        try await app.app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.app.http.server.shared.localAddress?.port ?? 0
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await body(LiveClient(port: port, client: client))
        } catch {
            try? await client.shutdown()
            await app.app.server.shutdown()
            throw error
        }
        try await client.shutdown()
        await app.app.server.shutdown()
    }

    /// Posts a form; `cookies` and `headers` are sent as given, plus the anonymous CSRF pair unless a session cookie carries its own token.
    func post(_ path: String, _ fields: [String: String], cookies: [String: String] = [:], headers extra: [(String, String)] = []) async throws -> (
        status: UInt, body: String
    ) {
        var fields = fields
        var cookies = cookies
        if fields[CSRFProtection.formField] == nil {
            cookies[Cookies.csrf] = Self.csrf
            fields[CSRFProtection.formField] = Self.csrf
        }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: fields.map { "\(Browser.formEncode($0.key))=\(Browser.formEncode($0.value))" }.joined(separator: "&")))
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }

    func signIn(_ email: String, _ password: String, headers: [(String, String)] = []) async throws -> UInt {
        try await post("/signin", ["email": email, "password": password], headers: headers).status
    }
}
