import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP reply: its code and the text of all its lines (without the code).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var text: String { lines.joined(separator: "\n") }
    var isPositive: Bool { (200..<400).contains(code) }
    var isTransientFailure: Bool { (400..<500).contains(code) }
}

/// Why the connection could not go on, before the mailer turns it into a `MailError`.
enum SMTPConnectionError: Error {
    case timeout(String)
    case closed
    case malformedReply(String)
    case tls(String)

    /// TLS library errors become `.tls`; anything else is kept.
    static func classify(_ error: Error) -> Error {
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return SMTPConnectionError.tls(String(describing: error))
        }
        return error
    }
}

/// Splits the server's bytes into replies (multi-line `250-...` up to `250 ...`) and hands each to the
/// oldest waiting command. Runs on its channel's event loop only.
final class SMTPReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private var buffer: [UInt8] = []
    private var pendingLines: [String] = []
    private var replies: [SMTPReply] = []
    private var waiting: [(promise: EventLoopPromise<SMTPReply>, timeout: Scheduled<Void>?)] = []
    private var failure: Error?
    /// Longest reply line accepted (RFC 5321 allows 512; servers' EHLO lists stay well under this).
    private let maximumLineLength = 4096

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer += bytes.readBytes(length: bytes.readableBytes) ?? []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            parse(line, context: context)
        }
        if buffer.count > maximumLineLength {
            fail(SMTPConnectionError.malformedReply("a reply line longer than \(maximumLineLength) bytes"), context: context)
        }
    }

    /// `250-text` is a line of a reply that goes on; `250 text` (or a bare `250`) is its last line.
    private func parse(_ line: [UInt8], context: ChannelHandlerContext) {
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard line.count >= 3, let code = Int(String(decoding: line[..<3], as: UTF8.self)), (200...599).contains(code),
            separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-")
        else {
            return fail(SMTPConnectionError.malformedReply(String(String(decoding: line, as: UTF8.self).prefix(200))), context: context)
        }
        pendingLines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        if separator == UInt8(ascii: "-") { return }
        deliver(SMTPReply(code: code, lines: pendingLines))
        pendingLines = []
    }

    private func deliver(_ reply: SMTPReply) {
        if waiting.isEmpty {
            replies.append(reply)
        } else {
            let waiter = waiting.removeFirst()
            waiter.timeout?.cancel()
            waiter.promise.succeed(reply)
        }
    }

    /// The next reply, failing with `.timeout(step)` after `timeout` (and closing the connection).
    func nextReply(context: ChannelHandlerContext, step: String, timeout: TimeAmount) -> EventLoopFuture<SMTPReply> {
        let promise = context.eventLoop.makePromise(of: SMTPReply.self)
        if !replies.isEmpty {
            promise.succeed(replies.removeFirst())
        } else if let failure {
            promise.fail(failure)
        } else {
            let scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                self.fail(SMTPConnectionError.timeout(step), context: context)
            }
            waiting.append((promise, scheduled))
        }
        return promise.futureResult
    }

    private func fail(_ error: Error, context: ChannelHandlerContext) {
        if failure == nil { failure = error }
        let waiters = waiting
        waiting = []
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.promise.fail(failure ?? error)
        }
        context.close(promise: nil)
    }

    /// Whether bytes arrived that no command has read yet. After the 220 to STARTTLS there must be
    /// none: anything there came before encryption and may be a reply planted by someone on the way.
    var hasUnreadInput: Bool { !buffer.isEmpty || !pendingLines.isEmpty || !replies.isEmpty }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPConnectionError.closed, context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let error = SMTPConnectionError.classify(error)
        // A TLS failure explains a close that may have been seen first.
        if case .tls = error as? SMTPConnectionError, case .closed = failure as? SMTPConnectionError {
            failure = error
        }
        fail(error, context: context)
    }
}

/// A connected SMTP session: send a line, read a reply, each within its timeout, and start TLS.
struct SMTPConnection: Sendable {
    let channel: Channel
    private let handler: NIOLoopBound<SMTPReplyHandler>

    static func connect(
        host: String, port: Int, connectTimeout: TimeAmount, tls: NIOSSLContext?, serverHostname: String?,
        group: EventLoopGroup
    ) async throws -> SMTPConnection {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let ssl = try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                        try channel.pipeline.syncOperations.addHandler(ssl)
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
            .connect(host: host, port: port).get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return SMTPConnection(channel: channel, handler: handler)
    }

    /// Reads the next reply (the greeting, or the answer to what was sent).
    func reply(step: String, timeout: TimeAmount) async throws -> SMTPReply {
        let handler = self.handler
        let channel = self.channel
        return try await channel.eventLoop.flatSubmit {
            guard let context = try? channel.pipeline.syncOperations.context(handlerType: SMTPReplyHandler.self) else {
                return channel.eventLoop.makeFailedFuture(SMTPConnectionError.closed)
            }
            return handler.value.nextReply(context: context, step: step, timeout: timeout)
        }.get()
    }

    /// Writes `line` and CRLF, then reads the reply.
    func command(_ line: String, step: String, timeout: TimeAmount) async throws -> SMTPReply {
        do {
            try await write(line + "\r\n")
        } catch {
            // The channel closed under the write (a failed TLS handshake, a dropped connection): the
            // write's own error or the reader's says why.
            let written = SMTPConnectionError.classify(error)
            if case .tls = written as? SMTPConnectionError { throw written }
            _ = try await reply(step: step, timeout: timeout)
            throw written
        }
        return try await reply(step: step, timeout: timeout)
    }

    func write(_ text: String) async throws {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        try await channel.writeAndFlush(buffer)
    }

    /// Puts TLS under the session (after the server's 220 to STARTTLS). Refuses when the server
    /// already sent more than that 220 (RFC 3207 §6: what came before TLS is discarded, never read
    /// as an answer to a command sent over it).
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        let channel = self.channel
        let handler = self.handler
        try await channel.eventLoop.submit {
            guard !handler.value.hasUnreadInput else {
                throw SMTPConnectionError.tls("the server sent more after its 220 to STARTTLS, before encryption: refused")
            }
            let ssl = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
            try channel.pipeline.syncOperations.addHandler(ssl, position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close()
    }
}
