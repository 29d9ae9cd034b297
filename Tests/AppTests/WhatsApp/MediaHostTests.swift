@testable import App
import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import NIOPosix
import SQLKit
import Synchronization
import Testing
import Vapor
import WhatsAppCloud
import WhatsAppSimulator

/// Media downloads carry the number's access token, so they go only over https to Meta's media
/// hosts (plus what `WHATSAPP_MEDIA_HOSTS` adds, here the simulator's loopback origin). A media
/// URL anywhere else is never requested: the media is marked failed at once, the message stays.
@Suite struct MediaHostTests {
    @Test func theTokenNeverFollowsAMediaURLOnAnotherHost() async throws {
        let evil = try await LoopbackRecorder.start()
        do {
            try await WhatsAppHarness.run { harness in
                harness.simulator.pointMediaURLs(at: evil.url)
                let wamid = try await harness.customer().send(.image(Data("a photo".utf8), mimeType: "image/png"))
                let message = try await harness.stored(wamid)
                try await harness.eventually("media refused") { try await harness.message(wamid: wamid)?.mediaState == .failed }

                #expect(evil.requests.isEmpty, "\(evil.requests)")
                // Not retried: the download job ended on its first attempt.
                func jobs() async throws -> [(state: String, attempts: Int)] {
                    try await (harness.db as! any SQLDatabase).raw(
                        """
                        SELECT state, attempts FROM jobs WHERE kind = \(bind: DownloadInboundMedia.kind)
                        """
                    ).all().map { (try $0.decode(column: "state", as: String.self), try $0.decode(column: "attempts", as: Int.self)) }
                }
                try await harness.eventually("the download job ended") { try await jobs().first?.state != "running" }
                let ended = try await jobs()
                #expect(ended.count == 1)
                #expect(ended.first?.state == "succeeded")
                #expect(ended.first?.attempts == 1)
                // The message stays, with a reason in the log that names the host and not the token.
                let kept = try #require(try await harness.message(wamid: wamid))
                #expect(kept.id == message.id)
                let lines = LogCapture.shared.all.filter { $0.contains("media download refused") && $0.contains(message.id!.uuidString.lowercased()) }
                #expect(lines.count == 1)
                #expect(lines.allSatisfy { $0.contains("127.0.0.1") && !$0.contains(WhatsAppHarness.number.accessToken) })

                // Back on the allowed origin, downloads work as before.
                harness.simulator.pointMediaURLs(at: nil)
                let next = try await harness.customer().send(.image(Data("another photo".utf8), mimeType: "image/png"))
                try await harness.eventually("media stored") { try await harness.message(wamid: next)?.mediaState == .stored }
                #expect(evil.requests.isEmpty)
            }
        } catch {
            try await evil.stop()
            throw error
        }
        try await evil.stop()
    }

    @Test func plainHTTPNeverCarriesTheTokenEvenToAnAllowedHost() async throws {
        let listener = try await LoopbackRecorder.start()
        let client = GraphAPIClient(
            httpClient: HTTPClient.shared, version: "v23.0",
            mediaHosts: MediaHosts([.init(scheme: "https", host: "127.0.0.1", port: listener.port)])
        )
        await #expect(throws: MediaHostRefused.self) {
            _ = try await client.downloadMedia(from: listener.url.appendingPathComponent("media"), token: "EAAG-secret", maxBytes: 1000)
        }
        let metaOnly = GraphAPIClient(httpClient: HTTPClient.shared, version: "v23.0")
        await #expect(throws: MediaHostRefused.self) {
            _ = try await metaOnly.downloadMedia(
                from: URL(string: "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1")!, token: "EAAG-secret", maxBytes: 1000)
        }
        #expect(listener.requests.isEmpty)
        try await listener.stop()
    }

    @Test func theSettingAddsOriginsAndRefusesWhatItCannotUse() throws {
        let defaults = try AppConfiguration.load(from: [:], environment: .testing).whatsApp.mediaHosts
        #expect(defaults == .meta)
        #expect(defaults.allows(URL(string: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2&hash=3")!))

        let configured = try AppConfiguration.load(
            from: ["WHATSAPP_MEDIA_HOSTS": "http://127.0.0.1:4010, media.example.com"], environment: .testing
        ).whatsApp.mediaHosts
        #expect(configured.allows(URL(string: "http://127.0.0.1:4010/media-download/1")!))
        #expect(configured.allows(URL(string: "https://media.example.com/x")!))
        #expect(configured.allows(URL(string: "https://lookaside.fbsbx.com/x")!))
        #expect(!configured.allows(URL(string: "http://127.0.0.1:4011/media-download/1")!))
        #expect(!configured.allows(URL(string: "http://media.example.com/x")!))

        for bad in [
            "http://media.example.com", "ftp://127.0.0.1", "https://user:pw@media.example.com", "media example.com", "https://media.example.com/path",
            "*.fbsbx.com",
        ] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                try AppConfiguration.load(from: ["WHATSAPP_MEDIA_HOSTS": bad], environment: .testing)
            }
            do {
                _ = try AppConfiguration.load(from: ["WHATSAPP_MEDIA_HOSTS": bad], environment: .testing)
            } catch {
                #expect(error.variable == "WHATSAPP_MEDIA_HOSTS")
            }
        }
    }
}

/// A loopback TCP listener that records every request it receives and answers each with a few bytes:
/// the host a hostile media URL would name.
final class LoopbackRecorder: Sendable {
    let channel: any Channel
    private let received: Mutex<[String]>

    private init(channel: any Channel) {
        self.channel = channel
        self.received = Mutex([])
    }

    var port: Int { channel.localAddress?.port ?? 0 }
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var requests: [String] { received.withLock { $0 } }

    static func start() async throws -> LoopbackRecorder {
        let log = Log()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler(log: log)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let recorder = LoopbackRecorder(channel: channel)
        log.recorder.withLock { $0 = recorder }
        return recorder
    }

    func stop() async throws {
        try await channel.close()
    }

    fileprivate func record(_ text: String) { received.withLock { $0.append(text) } }

    private final class Log: Sendable {
        let recorder = Mutex<LoopbackRecorder?>(nil)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let log: Log

        init(log: Log) { self.log = log }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            log.recorder.withLock { $0?.record(String(buffer: buffer)) }
            let answer = context.channel.allocator.buffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nevil!")
            context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
            context.close(promise: nil)
        }
    }
}
