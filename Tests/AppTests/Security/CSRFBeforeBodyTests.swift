@testable import App
import Fluent
import Foundation
import NIOCore
import NIOPosix
import Testing
import Vapor
import VaporTesting

/// A refused upload must be refused on its headers: nobody may make the server read (let alone
/// buffer) 100 MB on someone else's session.
@Suite struct CSRFBeforeBodyTests {
    /// What the attacker's page (or script) adds to the request besides the victim's cookie.
    enum Sender: String, CaseIterable, Sendable {
        case foreignOrigin, crossSiteFetch, scriptWithoutOrigin, anonymousFromAppOrigin, wrongHeaderToken
    }

    @Test("a huge multipart post that is not from our page is answered after a fraction of its body", arguments: Sender.allCases)
    func refusedOnHeaders(_ sender: Sender) async throws {
        try await TestApp.run { app in
            let member = try await app.signUp(email: "anna@example.com")
            try await app.app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.app.http.server.shared.localAddress?.port)
            var headers = ["Content-Type: multipart/form-data; boundary=XyZ", "Content-Length: 100000000"]
            switch sender {
            case .foreignOrigin: headers += ["Cookie: \(Cookies.session)=\(member.sessionToken!)", "Origin: https://evil.example"]
            case .crossSiteFetch: headers += ["Cookie: \(Cookies.session)=\(member.sessionToken!)", "Sec-Fetch-Site: cross-site"]
            case .scriptWithoutOrigin: headers += ["Cookie: \(Cookies.session)=\(member.sessionToken!)"]
            case .anonymousFromAppOrigin: headers += ["Origin: http://127.0.0.1:8080", "Cookie: \(Cookies.csrf)=\(LiveClient.csrf)"]
            case .wrongHeaderToken:
                headers += ["Cookie: \(Cookies.session)=\(member.sessionToken!)", "Origin: http://127.0.0.1:8080", "X-CSRF-Token: \(LiveClient.csrf)"]
            }
            let answer = try await Self.postPartially(port: port, path: "/inbox/\(UUID())/messages", headers: headers, bodyBytesSent: 256 * 1024)
            await app.app.server.shutdown()
            #expect(answer.hasPrefix("HTTP/1.1 403"), "answer after 256 KB of 100 MB: \(answer.prefix(80).debugDescription)")
        }
    }

    @Test("an upload from our own page with its token is sent; without the page's origin it is refused")
    func legitimateUpload() async throws {
        try await WhatsAppHarness.run { harness in
            let wamid = try await harness.customer("31612345678").sendText("Goedemorgen")
            _ = try await harness.stored(wamid)
            let conversation = try #require(try await harness.conversation(with: "31612345678"))
            _ = try await harness.owner.get("/inbox/\(conversation.id!)")
            let token = try #require(harness.owner.csrfToken)
            let boundary = "----adsapp-test"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n".utf8)
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"taart.png\"\r\nContent-Type: image/png\r\n\r\n".utf8))
            body.append(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!)  // 1×1 PNG
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            func upload(_ extra: [(String, String)]) async throws -> TestingHTTPResponse {
                var headers = HTTPHeaders(extra)
                headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                return try await harness.owner.send(.POST, "/inbox/\(conversation.id!)/messages", headers: headers, body: ByteBuffer(data: body))
            }
            // Browser.send names the app's origin, as a browser does; a script can leave it out, a page of another site cannot.
            #expect(try await upload([("Origin", "null")]).status == .forbidden)
            #expect(try await upload([("Origin", "http://127.0.0.1:8080"), ("Sec-Fetch-Site", "same-site")]).status == .forbidden)
            let sent = try await upload([("Sec-Fetch-Site", "same-origin")])
            #expect(sent.status == .seeOther, "\(sent.body.string.prefix(300))")
            try await harness.eventually("the file reached Meta") { harness.simulator.sentMessages.contains { $0.type == "image" } }
        }
    }

    @Test("every form refuses a foreign origin, even with a valid token; our own origin is accepted")
    func foreignOriginForms() async throws {
        try await TestApp.run { app in
            let anna = try await app.signUp(email: "anna@example.com")
            _ = try await anna.get("/dashboard")
            var foreign = HTTPHeaders()
            foreign.add(name: .origin, value: "https://evil.example")
            foreign.contentType = .urlEncodedForm
            let forged = try await anna.send(
                .POST, "/organizations/new", headers: foreign,
                body: ByteBuffer(string: "name=Forged&_csrf=" + Browser.formEncode(anna.csrfToken ?? "")))
            #expect(forged.status == .forbidden)
            #expect(try await Organization.query(on: app.db).filter(\.$name == "Forged").count() == 0)
            #expect(try await anna.post("/organizations/new", ["name": "Real"]).status == .seeOther)
        }
    }

    @Test(
        "what Origin and Sec-Fetch-Site say",
        arguments: [
            // origin, fetch site, foreign, app
            ("http://127.0.0.1:8080", nil, false, true),
            ("http://127.0.0.1:8080/", "same-origin", false, true),
            (nil, "same-origin", false, true),
            (nil, nil, false, false),
            (nil, "none", false, false),
            ("https://evil.example", nil, true, false),
            ("http://127.0.0.1:8081", nil, true, false),
            ("https://127.0.0.1:8080", nil, true, false),
            ("null", nil, true, false),
            ("http://127.0.0.1:8080", "cross-site", true, false),
            (nil, "same-site", true, false),
        ] as [(String?, String?, Bool, Bool)])
    func origins(_ origin: String?, _ site: String?, _ foreign: Bool, _ app: Bool) {
        let verdict = RequestOrigin(origin: origin, fetchSite: site, appURL: URL(string: "http://127.0.0.1:8080")!)
        #expect(verdict.isForeign == foreign)
        #expect(verdict.isApp == app)
        #expect(RequestOrigin.isAppOrigin("https://inbox.example.com", appURL: URL(string: "https://inbox.example.com")!))
        #expect(RequestOrigin.isAppOrigin("https://inbox.example.com:443", appURL: URL(string: "https://inbox.example.com/")!))
    }

    /// Sends the head and the first `bodyBytesSent` bytes of a body that claims to be far larger,
    /// then waits (at most 10 s) for an answer, without sending more.
    static func postPartially(port: Int, path: String, headers: [String], bodyBytesSent: Int) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let head = (["POST \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
            let part = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            try await outbound.write(ByteBuffer(string: head + part))
            try await outbound.write(ByteBuffer(repeating: 0, count: bodyBytesSent))
            return try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask {
                    var received = ""
                    for try await chunk in inbound {
                        received += String(buffer: chunk)
                        if received.contains("\r\n\r\n") { break }
                    }
                    return received
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return "no answer within 10 s"
                }
                let first = try await group.next() ?? ""
                group.cancelAll()
                return first
            }
        }
    }
}
