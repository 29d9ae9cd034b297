import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to reach an SMTP server.
public struct SMTPConfiguration: Sendable {
    /// How the connection is protected.
    public enum Security: Sendable, Equatable {
        /// Plain connection upgraded with STARTTLS, which the server must offer (port 587). The default.
        case startTLS
        /// TLS from the first byte (port 465).
        case implicitTLS
        /// No TLS at all: only for a server on this machine (127.0.0.0/8, ::1, localhost).
        case plain
    }

    /// Which certificates the server's chain must lead to.
    public enum TrustRoots: Sendable, Equatable {
        /// The system's trust store.
        case system
        /// The CA certificates in a PEM file (a private CA).
        case pemFile(String)
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var trustRoots: TrustRoots
    /// Whether the certificate must name `host`. Only a test or a private setup turns this off.
    public var verifyHostname: Bool
    /// The name this client gives in EHLO.
    public var ehloName: String
    public var connectTimeout: TimeInterval
    /// The longest wait for any one reply.
    public var commandTimeout: TimeInterval
    /// The longest a whole delivery may take, from connecting to the answer to the message.
    public var totalTimeout: TimeInterval

    public init(
        host: String, port: Int = 587, security: Security = .startTLS, username: String? = nil,
        password: String? = nil, trustRoots: TrustRoots = .system, verifyHostname: Bool = true,
        ehloName: String = "localhost", connectTimeout: TimeInterval = 10, commandTimeout: TimeInterval = 30,
        totalTimeout: TimeInterval = 120
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.trustRoots = trustRoots
        self.verifyHostname = verifyHostname
        self.ehloName = ehloName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.totalTimeout = totalTimeout
    }

    /// Whether `host` names this machine, the only place a plain connection is allowed to go.
    public var isLoopbackHost: Bool {
        let host = self.host.lowercased()
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

/// Sends mail over SMTP: greeting, EHLO, STARTTLS, EHLO, AUTH (PLAIN preferred, else LOGIN), MAIL FROM,
/// RCPT TO for each recipient, DATA (dot-stuffed), QUIT. One connection per message.
///
/// Credentials never leave over a plain connection unless the configuration says `.plain`, which is
/// only accepted for loopback. 4xx replies, timeouts and dropped connections are transient; 5xx
/// replies and TLS or certificate failures are permanent.
public struct SMTPMailer: Mailer {
    public let configuration: SMTPConfiguration
    let group: EventLoopGroup

    public init(_ configuration: SMTPConfiguration, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let data = try MIMEMessage.render(message)
        let configuration = self.configuration
        if configuration.security == .plain, !configuration.isLoopbackHost {
            throw MailError.permanent(
                "SMTP without TLS is only allowed to this machine, not to \(configuration.host): use STARTTLS or implicit TLS")
        }
        let tls = try configuration.security == .plain ? nil : makeTLSContext()
        let deadline = Date().addingTimeInterval(configuration.totalTimeout)

        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.connect(
                host: configuration.host, port: configuration.port,
                connectTimeout: .milliseconds(Int64(min(configuration.connectTimeout, configuration.totalTimeout) * 1000)),
                tls: configuration.security == .implicitTLS ? tls : nil, serverHostname: sniHostname, group: group)
        } catch {
            throw Self.mailError(error, step: "connecting to \(configuration.host):\(configuration.port)")
        }
        do {
            let answer = try await Session(connection: connection, configuration: configuration, deadline: deadline)
                .deliver(message, data: data, tls: tls, sniHostname: sniHostname)
            await connection.close()
            return MailReceipt(provider: "smtp", providerMessageID: answer)
        } catch {
            await connection.close()
            throw Self.mailError(error, step: "SMTP")
        }
    }

    /// The name sent in TLS SNI and checked in the certificate; an IP address is checked against the
    /// certificate's IP entries instead (SNI cannot carry one).
    var sniHostname: String? {
        let host = configuration.host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let isIP = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return isIP ? nil : host
    }

    func makeTLSContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = configuration.verifyHostname ? .fullVerification : .noHostnameVerification
        switch configuration.trustRoots {
        case .system:
            tls.trustRoots = .default
        case .pemFile(let path):
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw MailError.permanent("cannot read the SMTP CA file \(path): \(error)")
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw MailError.permanent("cannot set up TLS for SMTP: \(error)")
        }
    }

    static func mailError(_ error: Error, step: String) -> MailError {
        switch error {
        case let error as MailError: return error
        case SMTPConnectionError.timeout(let during):
            return .transient("SMTP server did not answer in time (\(during))", retryAfter: nil)
        case SMTPConnectionError.closed:
            return .transient("SMTP server closed the connection", retryAfter: nil)
        case SMTPConnectionError.malformedReply(let line):
            return .transient("SMTP server sent a malformed reply: \(line.debugDescription)", retryAfter: nil)
        case SMTPConnectionError.tls(let reason):
            return .permanent("TLS with the SMTP server failed (certificate or protocol): \(reason)")
        case let error as ChannelError:
            if case .connectTimeout = error {
                return .transient("\(step): connection timed out", retryAfter: nil)
            }
            return .transient("\(step): \(error)", retryAfter: nil)
        default:
            return .transient("\(step): \(error)", retryAfter: nil)
        }
    }
}

/// One conversation, from the greeting to the answer after DATA.
private struct Session {
    let connection: SMTPConnection
    let configuration: SMTPConfiguration
    let deadline: Date

    var timeout: TimeAmount {
        let remaining = min(configuration.commandTimeout, deadline.timeIntervalSinceNow)
        return .milliseconds(Int64(max(remaining, 0.001) * 1000))
    }

    /// Sends `line` and requires a reply with `expected` code; any other reply becomes a `MailError`.
    @discardableResult
    func expect(_ expected: Int, after line: String?, step: String) async throws -> SMTPReply {
        let reply =
            if let line {
                try await connection.command(line, step: step, timeout: timeout)
            } else {
                try await connection.reply(step: step, timeout: timeout)
            }
        guard reply.code == expected else { throw Self.refusal(reply, step: step) }
        return reply
    }

    static func refusal(_ reply: SMTPReply, step: String) -> MailError {
        let said = "SMTP server answered \(step) with \(reply.code) \(reply.text)"
        return reply.isTransientFailure ? .transient(said, retryAfter: nil) : .permanent(said)
    }

    /// The server's extensions from an EHLO reply: keyword (upper case) to its parameters.
    func ehlo() async throws -> [String: [String]] {
        let reply = try await expect(250, after: "EHLO \(configuration.ehloName)", step: "EHLO")
        var extensions: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            extensions[keyword.uppercased()] = words.dropFirst().map { $0.uppercased() }
        }
        return extensions
    }

    func deliver(_ message: MailMessage, data: String, tls: NIOSSLContext?, sniHostname: String?) async throws -> String {
        try await expect(220, after: nil, step: "the greeting")
        var extensions = try await ehlo()

        if configuration.security == .startTLS {
            guard extensions["STARTTLS"] != nil, let tls else {
                throw MailError.permanent(
                    "the SMTP server \(configuration.host) does not offer STARTTLS, which is required: nothing was sent")
            }
            try await expect(220, after: "STARTTLS", step: "STARTTLS")
            try await connection.startTLS(context: tls, serverHostname: sniHostname)
            do {
                extensions = try await ehlo()
            } catch SMTPConnectionError.closed {
                // NIOSSL closes the channel when it refuses the certificate; its error may not reach the reader.
                throw SMTPConnectionError.tls("the connection closed during the TLS handshake (certificate refused?)")
            }
        }

        if let username = configuration.username, let password = configuration.password {
            try await authenticate(username: username, password: password, offered: extensions["AUTH"] ?? [])
        }

        // An internationalized address goes only where the server says it can carry one (RFC 6531);
        // the server takes the message as 8-bit, so it is declared as such when the server knows the word.
        var parameters = ""
        if message.needsSMTPUTF8 {
            guard extensions["SMTPUTF8"] != nil else {
                throw MailError.permanent(
                    "the SMTP server \(configuration.host) does not offer SMTPUTF8, which an address with letters beyond ASCII needs: nothing was sent")
            }
            parameters = extensions["8BITMIME"] != nil ? " BODY=8BITMIME SMTPUTF8" : " SMTPUTF8"
        }
        try await expect(250, after: "MAIL FROM:<\(message.from.email)>" + parameters, step: "MAIL FROM")
        for recipient in message.to {
            try await expect(250, after: "RCPT TO:<\(recipient.email)>", step: "RCPT TO <\(recipient.email)>")
        }
        try await expect(354, after: "DATA", step: "DATA")
        try await connection.write(Self.dotStuffed(data) + ".\r\n")
        let accepted = try await expect(250, after: nil, step: "the message")
        // The message is taken: a failing QUIT changes nothing.
        _ = try? await connection.command("QUIT", step: "QUIT", timeout: .milliseconds(500))
        return accepted.text
    }

    func authenticate(username: String, password: String, offered: [String]) async throws {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if offered.contains("PLAIN") {
            try await expect(235, after: "AUTH PLAIN " + base64("\0\(username)\0\(password)"), step: "AUTH PLAIN")
        } else if offered.contains("LOGIN") {
            try await expect(334, after: "AUTH LOGIN", step: "AUTH LOGIN")
            try await expect(334, after: base64(username), step: "AUTH LOGIN (username)")
            try await expect(235, after: base64(password), step: "AUTH LOGIN (password)")
        } else {
            throw MailError.permanent(
                "the SMTP server offers no AUTH PLAIN or LOGIN (it offers \(offered.joined(separator: " ")))")
        }
    }

    /// A leading "." on any line is doubled (RFC 5321 4.5.2); `data` ends with CRLF.
    static func dotStuffed(_ data: String) -> String {
        var stuffed = data.hasPrefix(".") ? "." + data : data
        stuffed = stuffed.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        return stuffed.hasSuffix("\r\n") ? stuffed : stuffed + "\r\n"
    }
}
