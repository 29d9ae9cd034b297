import Foundation
import Mail
import Testing

@Suite("SMTP against a real aiosmtpd", .smtpPeer)
struct SMTPMailerTests {
    func expectDelivered(_ message: MailMessage, to recipient: String, mechanism: String, server: String) throws {
        let peer = try SMTPPeer.get()
        let delivered = try peer.messages(to: recipient)
        try #require(delivered.count == 1)
        let event = delivered[0]
        #expect(event.server == server)
        #expect(event.login == peer.username)
        #expect(event.mail_from == message.from.email)
        let parsed = try #require(event.parsed)
        #expect(parsed.defects == [])
        #expect(parsed.subject == message.subject)
        #expect(parsed.from == [.init(name: message.from.name ?? "", email: message.from.email)])
        #expect(parsed.to == message.to.map { .init(name: $0.name ?? "", email: $0.email) })
        #expect(parsed.message_id == message.messageID)
        #expect(parsed.header("List-Unsubscribe") == message.headers[0].value)
        #expect(parsed.content("text/plain") == message.text)
        #expect(parsed.content("text/html") == message.html)
        let auth = try peer.events().filter { $0.event == "auth" && $0.server == server && $0.success == true }
        #expect(auth.contains { $0.mechanism == mechanism })
    }

    @Test("Delivered over STARTTLS with AUTH PLAIN; the text read back equals what was sent")
    func deliversWithPlain() async throws {
        let peer = try SMTPPeer.get()
        let recipient = uniqueRecipient()
        let message = sampleMessage(to: recipient)
        let receipt = try await SMTPMailer(peer.configuration(port: peer.tls_port)).send(message)
        #expect(receipt.provider == "smtp")
        #expect(receipt.providerMessageID?.contains("queued as") == true)
        try expectDelivered(message, to: recipient, mechanism: "PLAIN", server: "tls")
    }

    @Test("Delivered with AUTH LOGIN when the server offers no PLAIN, to the host name localhost")
    func deliversWithLogin() async throws {
        let peer = try SMTPPeer.get()
        let recipient = uniqueRecipient()
        var message = sampleMessage(to: recipient)
        message.to.append(MailAddress("second-\(recipient)"))
        var configuration = peer.configuration(port: peer.tls_login_port)
        configuration.host = "localhost"
        _ = try await SMTPMailer(configuration).send(message)
        try expectDelivered(message, to: recipient, mechanism: "LOGIN", server: "tls_login")
        #expect(try peer.messages(to: recipient).first?.rcpt_tos == [recipient, "second-\(recipient)"])
    }

    @Test("An address with letters beyond ASCII goes with SMTPUTF8 to a server that offers it, and is refused before MAIL FROM by one that does not")
    func internationalizedAddress() async throws {
        let peer = try SMTPPeer.get()
        let recipient = "jörg-\(UUID().uuidString.prefix(8).lowercased())@müller.example"
        let message = sampleMessage(to: recipient)
        _ = try await SMTPMailer(peer.configuration(port: peer.tls_port)).send(message)
        try expectDelivered(message, to: recipient, mechanism: "PLAIN", server: "tls")

        let other = "jörg-\(UUID().uuidString.prefix(8).lowercased())@müller.example"
        await #expect {
            try await SMTPMailer(peer.configuration(port: peer.tls_login_port)).send(sampleMessage(to: other))
        } throws: { error in
            guard case MailError.permanent(let reason) = error else { return false }
            return reason.contains("SMTPUTF8") && reason.contains("nothing was sent")
        }
        #expect(try peer.messages(to: other).isEmpty)
    }

    @Test("A wrong password is a permanent failure and nothing is delivered")
    func wrongPassword() async throws {
        let peer = try SMTPPeer.get()
        let recipient = uniqueRecipient()
        let mailer = SMTPMailer(peer.configuration(port: peer.tls_port, password: "wrong"))
        await #expect {
            try await mailer.send(sampleMessage(to: recipient))
        } throws: { error in
            guard case MailError.permanent(let reason) = error else { return false }
            return reason.contains("535")
        }
        #expect(try peer.messages(to: recipient).isEmpty)
    }

    @Test("A server without STARTTLS is refused before any AUTH: the password never leaves")
    func noStartTLS() async throws {
        let peer = try SMTPPeer.get()
        // Only this test signs in to the plain server (the loopback test beside it sends without a login).
        func signIns() throws -> Int { try peer.events().filter { $0.server == "plain" && $0.event == "auth" }.count }
        let before = try signIns()
        let recipient = uniqueRecipient()
        await #expect {
            try await SMTPMailer(peer.configuration(port: peer.plain_port)).send(sampleMessage(to: recipient))
        } throws: { error in
            guard case MailError.permanent(let reason) = error else { return false }
            return reason.contains("STARTTLS")
        }
        #expect(try signIns() == before)
        #expect(try peer.messages(to: recipient).isEmpty)
    }

    @Test("A reply planted right behind the 220 to STARTTLS is refused before the handshake, and nothing more is sent")
    func injectionAfterSTARTTLS() async throws {
        let peer = try SMTPPeer.get()
        func after() throws -> [SMTPPeer.Event] { try peer.events().filter { $0.server == "inject" && $0.event == "after_starttls" } }
        let before = try after().count
        await #expect {
            try await SMTPMailer(peer.configuration(port: peer.inject_port)).send(sampleMessage(to: uniqueRecipient()))
        } throws: { error in
            guard case MailError.permanent(let reason) = error else { return false }
            return reason.contains("before encryption")
        }
        var recorded: [SMTPPeer.Event] = []
        for _ in 0..<100 {
            recorded = try after()
            if recorded.count > before { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(recorded.count == before + 1)
        #expect(recorded.last?.sent == 0, "neither a TLS handshake nor a command followed the planted reply")
    }

    @Test("Plain SMTP works to loopback when configured, and is refused for any other host")
    func plainOnlyToLoopback() async throws {
        let peer = try SMTPPeer.get()
        var configuration = peer.configuration(port: peer.plain_port, security: .plain)
        configuration.username = nil
        let recipient = uniqueRecipient()
        _ = try await SMTPMailer(configuration).send(sampleMessage(to: recipient))
        #expect(try peer.messages(to: recipient).count == 1)

        configuration.host = "smtp.example.com"
        await #expect {
            try await SMTPMailer(configuration).send(sampleMessage())
        } throws: { error in
            guard case MailError.permanent(let reason) = error else { return false }
            return reason.contains("only allowed to this machine")
        }
    }

    @Test("A server that accepts and never answers is a transient failure within the timeout")
    func silentServer() async throws {
        let peer = try SMTPPeer.get()
        var configuration = peer.configuration(port: peer.silent_port)
        configuration.commandTimeout = 0.5
        let started = ContinuousClock.now
        await #expect {
            try await SMTPMailer(configuration).send(sampleMessage())
        } throws: { error in
            guard case MailError.transient(let reason, _) = error else { return false }
            return reason.contains("did not answer in time")
        }
        // The 15 s default limits did not apply (12 s leaves room for a loaded machine: a run beside a
        // release build took 5.4 s).
        #expect(ContinuousClock.now - started < .seconds(12))
    }

    @Test("A refused connection is transient")
    func refusedConnection() async throws {
        let peer = try SMTPPeer.get()
        // Port 1 (tcpmux): nobody listens there on a test machine.
        var configuration = peer.configuration(port: 1)
        configuration.connectTimeout = 1
        await #expect {
            try await SMTPMailer(configuration).send(sampleMessage())
        } throws: { error in
            if case MailError.transient = error { return true }
            return false
        }
    }

    @Test("A certificate from a CA the client does not trust is refused, and nothing is delivered")
    func untrustedCertificate() async throws {
        let peer = try SMTPPeer.get()
        var configuration = peer.configuration(port: peer.tls_port)
        configuration.trustRoots = .system
        let recipient = uniqueRecipient()
        await #expect {
            try await SMTPMailer(configuration).send(sampleMessage(to: recipient))
        } throws: { error in
            guard case MailError.permanent(let reason) = error else { return false }
            return reason.contains("TLS")
        }
        #expect(try peer.messages(to: recipient).isEmpty)
    }
}
