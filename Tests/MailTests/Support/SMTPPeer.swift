import Foundation
import Mail
import PythonPeers
import Testing

/// The aiosmtpd servers of `system-tests/peers/smtp_peer.py`, started once around a suite marked `.smtpPeer`.
struct SMTPPeer: Decodable, Sendable {
    let tls_port: Int
    let tls_login_port: Int
    let plain_port: Int
    let silent_port: Int
    let inject_port: Int
    let ca_file: String
    let username: String
    let password: String
    let events_file: String

    @TaskLocal static var current: SMTPPeer?

    static func get() throws -> SMTPPeer {
        try #require(current, "the suite needs the .smtpPeer trait")
    }

    /// A configuration for one of the servers. The timeouts are generous because the suites run in
    /// parallel on a busy machine; the tests about timeouts set their own short ones.
    func configuration(port: Int, security: SMTPConfiguration.Security = .startTLS, password: String? = nil)
        -> SMTPConfiguration
    {
        SMTPConfiguration(
            host: "127.0.0.1", port: port, security: security, username: username, password: password ?? self.password,
            trustRoots: .pemFile(ca_file), ehloName: "adsapp.test", connectTimeout: 15, commandTimeout: 15,
            totalTimeout: 30)
    }

    struct Event: Decodable, Sendable {
        var server: String
        var event: String
        var mechanism: String?
        var login: String?
        var success: Bool?
        /// Bytes the client sent after the injecting server's 220 to STARTTLS.
        var sent: Int?
        var mail_from: String?
        var rcpt_tos: [String]?
        var raw: String?
        var parsed: ParsedMessage?
    }

    /// Everything the servers recorded so far: the complete lines (a server may be writing the last one).
    func events() throws -> [Event] {
        let text = try String(contentsOfFile: events_file, encoding: .utf8)
        return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().filter { !$0.isEmpty }
            .map { try JSONDecoder().decode(Event.self, from: Data($0.utf8)) }
    }

    /// Messages delivered to `recipient` (each test uses its own address).
    func messages(to recipient: String) throws -> [Event] {
        try events().filter { $0.event == "message" && ($0.rcpt_tos ?? []).contains(recipient) }
    }
}

struct SMTPPeerTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let peer = try await PeerProcess<SMTPPeer>.start("smtp_peer.py")
        defer { peer.stop() }
        try await SMTPPeer.$current.withValue(peer.info) { try await function() }
    }
}

extension Trait where Self == SMTPPeerTrait {
    static var smtpPeer: Self { Self() }
}

func uniqueRecipient() -> String {
    "member-\(UUID().uuidString.prefix(8).lowercased())@example.test"
}
