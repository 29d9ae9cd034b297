import Foundation
import Mail
import PythonPeers
import ResendSimulator
import Testing

/// Starts a fresh simulator for one test and stops it after, whether the test passes or fails.
/// The timeout is generous because the suites run in parallel on a busy machine: a 2 s limit
/// once turned the answer to a scripted 429 into a deadline error under a full PostgreSQL run.
/// The test about timeouts sets its own short one.
func withResendSimulator(_ body: (ResendSimulator, ResendConfiguration) async throws -> Void) async throws {
    let simulator = ResendSimulator()
    let baseURL = try await simulator.start()
    do {
        try await body(simulator, ResendConfiguration(apiKey: simulator.apiKey, baseURL: baseURL.absoluteString, timeout: 30))
    } catch {
        try await simulator.shutdown()
        throw error
    }
    try await simulator.shutdown()
}

func expectTransient(_ mailer: some Mailer, _ message: MailMessage, retryAfter: TimeInterval? = nil) async {
    await #expect {
        try await mailer.send(message)
    } throws: { error in
        guard case MailError.transient(_, let after) = error else { return false }
        return retryAfter == nil || after == retryAfter
    }
}

func expectPermanent(_ mailer: some Mailer, _ message: MailMessage, containing text: String) async {
    await #expect {
        try await mailer.send(message)
    } throws: { error in
        guard case MailError.permanent(let reason) = error else { return false }
        return reason.contains(text)
    }
}

@Suite("Resend API")
struct ResendMailerTests {
    @Test("Sends Resend's documented body with the bearer key and the idempotency key; a retry is not sent twice")
    func sends() async throws {
        try await withResendSimulator { simulator, configuration in
            let message = sampleMessage()
            let mailer = ResendMailer(configuration)
            let receipt = try await mailer.send(message)
            #expect(receipt.provider == "resend")
            let stored = try #require(simulator.emails.first)
            #expect(receipt.providerMessageID == stored.id)
            #expect(stored.from == "Bakkerij Één — ADSapp <noreply@adsapp.test>")
            #expect(stored.to == ["Anna de Vries-Çelik 👩🏽‍💻 <anna@example.test>"])
            #expect(stored.replyTo == ["\"Support, \\\"team\\\"\" <support@adsapp.test>"])
            #expect(stored.subject == message.subject)
            #expect(stored.text == message.text)
            #expect(stored.html == message.html)
            #expect(stored.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
            #expect(stored.headers["List-Unsubscribe"] == message.headers[0].value)
            #expect(stored.idempotencyKey == message.idempotencyKey)

            let again = try await mailer.send(message)
            #expect(again.providerMessageID == receipt.providerMessageID)
            #expect(simulator.emails.count == 1)
        }
    }

    @Test("The same idempotency key with another body is refused for good")
    func idempotencyConflict() async throws {
        try await withResendSimulator { _, configuration in
            var message = sampleMessage()
            let mailer = ResendMailer(configuration)
            _ = try await mailer.send(message)
            message.subject = "Something else"
            await expectPermanent(mailer, message, containing: "invalid_idempotent_request")
        }
    }

    @Test("429 is transient and carries retry-after; a daily quota too")
    func rateLimited() async throws {
        try await withResendSimulator { simulator, configuration in
            simulator.script(.rateLimited(retryAfter: 7))
            simulator.script(.dailyQuotaExceeded)
            await expectTransient(ResendMailer(configuration), sampleMessage(), retryAfter: 7)
            await expectTransient(ResendMailer(configuration), sampleMessage())
            #expect(simulator.emails.isEmpty)
        }
    }

    @Test("500, a concurrent request with the same key and a timeout are transient")
    func transientFailures() async throws {
        try await withResendSimulator { simulator, configuration in
            simulator.script(.serverError)
            simulator.script(.concurrentIdempotentRequests)
            await expectTransient(ResendMailer(configuration), sampleMessage())
            await expectTransient(ResendMailer(configuration), sampleMessage())

            simulator.script(.delay(1.5))
            var quick = configuration
            quick.timeout = 0.3
            await expectTransient(ResendMailer(quick), sampleMessage())
        }
    }

    @Test("A wrong, missing or invalid key and validation errors are permanent with Resend's message")
    func permanentFailures() async throws {
        try await withResendSimulator { simulator, configuration in
            var wrongKey = configuration
            wrongKey.apiKey = "re_wrong"
            await expectPermanent(ResendMailer(wrongKey), sampleMessage(), containing: "401 validation_error: API key is invalid")
            var noKey = configuration
            noKey.apiKey = ""
            await expectPermanent(ResendMailer(noKey), sampleMessage(), containing: "missing_api_key")

            simulator.script(.invalidAPIKey)
            await expectPermanent(ResendMailer(configuration), sampleMessage(), containing: "403 invalid_api_key")
            simulator.script(.validationError("Invalid `to` field."))
            await expectPermanent(ResendMailer(configuration), sampleMessage(), containing: "422 validation_error: Invalid `to` field.")
            #expect(simulator.emails.isEmpty)
        }
    }

    @Test("A refused connection is transient")
    func unreachable() async throws {
        let mailer = ResendMailer(ResendConfiguration(apiKey: "re_x", baseURL: "http://127.0.0.1:1", timeout: 1))
        await expectTransient(mailer, sampleMessage())
    }
}

@Suite("Failover from Resend to SMTP", .smtpPeer)
struct FailoverMailerTests {
    @Test("A permanent Resend failure sends with SMTP (a real aiosmtpd); the receipt names SMTP")
    func permanentFailsOver() async throws {
        let peer = try SMTPPeer.get()
        try await withResendSimulator { simulator, configuration in
            simulator.script(.invalidAPIKey)
            let recipient = uniqueRecipient()
            let mailer = FailoverMailer(
                primary: ResendMailer(configuration), fallback: SMTPMailer(peer.configuration(port: peer.tls_port)))
            let receipt = try await mailer.send(sampleMessage(to: recipient))
            #expect(receipt.provider == "smtp")
            #expect(try peer.messages(to: recipient).count == 1)
        }
    }

    @Test("A transient Resend failure is thrown for the job to retry; SMTP is not used")
    func transientIsThrown() async throws {
        let peer = try SMTPPeer.get()
        try await withResendSimulator { simulator, configuration in
            simulator.script(.rateLimited(retryAfter: 3))
            let recipient = uniqueRecipient()
            let mailer = FailoverMailer(
                primary: ResendMailer(configuration), fallback: SMTPMailer(peer.configuration(port: peer.tls_port)))
            await expectTransient(mailer, sampleMessage(to: recipient), retryAfter: 3)
            let delivered = try peer.messages(to: recipient)
            #expect(delivered.isEmpty)
        }
    }
}

@Suite("The Resend simulator against Resend's official Python package")
struct ResendSimulatorCrossCheckTests {
    struct Answer: Decodable {
        struct Failure: Decodable {
            var `class`: String
            var code: Int
            var type: String
            var message: String
        }
        var id: String?
        var error: Failure?
    }

    func send(_ params: [String: Any], key: String, idempotencyKey: String?, to baseURL: URL) async throws -> Answer {
        var request: [String: Any] = ["params": params]
        if let idempotencyKey { request["idempotency_key"] = idempotencyKey }
        let output = try await PythonPeer.output(
            "resend_send.py", input: try JSONSerialization.data(withJSONObject: request),
            environment: ["RESEND_API_URL": baseURL.absoluteString, "RESEND_API_KEY": key])
        return try JSONDecoder().decode(Answer.self, from: output)
    }

    @Test("The package's send arrives as sent, its idempotency key is honoured, and it reads our error shapes")
    func officialPackage() async throws {
        try await withResendSimulator { simulator, configuration in
            try await checkOfficialPackage(simulator, baseURL: try #require(URL(string: configuration.baseURL)))
        }
    }

    func checkOfficialPackage(_ simulator: ResendSimulator, baseURL: URL) async throws {
        let params: [String: Any] = [
            "from": "ADSapp <noreply@adsapp.test>", "to": ["anna@example.test"], "subject": "Welkom bij Één 🍞",
            "html": "<p>Hallo</p>", "text": "Hallo", "reply_to": "support@adsapp.test",
            "headers": ["List-Unsubscribe": "<https://adsapp.test/u/1>"],
        ]
        let sent = try await send(params, key: simulator.apiKey, idempotencyKey: "welcome/1", to: baseURL)
        let id = try #require(sent.id)
        let stored = try #require(simulator.emails.first)
        #expect(stored.id == id)
        #expect(stored.from == "ADSapp <noreply@adsapp.test>")
        #expect(stored.to == ["anna@example.test"])
        #expect(stored.subject == "Welkom bij Één 🍞")
        #expect(stored.replyTo == ["support@adsapp.test"])
        #expect(stored.headers == ["List-Unsubscribe": "<https://adsapp.test/u/1>"])
        #expect(stored.idempotencyKey == "welcome/1")
        #expect(stored.userAgent?.hasPrefix("resend-python") == true)

        let replay = try await send(params, key: simulator.apiKey, idempotencyKey: "welcome/1", to: baseURL)
        #expect(replay.id == id)
        #expect(simulator.emails.count == 1)

        let missing = try await send(["to": "a@b.test", "subject": "x", "text": "x"], key: simulator.apiKey, idempotencyKey: nil, to: baseURL)
        #expect(missing.error?.class == "MissingRequiredFieldsError")
        #expect(missing.error?.code == 422)
        let badFrom = try await send(
            ["from": "not an address", "to": "a@b.test", "subject": "x", "text": "x"], key: simulator.apiKey, idempotencyKey: nil, to: baseURL)
        #expect(badFrom.error?.type == "invalid_from_address")

        let noKey = try await send(params, key: "", idempotencyKey: nil, to: baseURL)
        #expect(noKey.error?.class == "MissingApiKeyError")
        simulator.script(.rateLimited(retryAfter: 2))
        let limited = try await send(params, key: simulator.apiKey, idempotencyKey: nil, to: baseURL)
        #expect(limited.error?.class == "RateLimitError")
        simulator.script(.serverError)
        let failed = try await send(params, key: simulator.apiKey, idempotencyKey: nil, to: baseURL)
        #expect(failed.error?.class == "ApplicationError")
        let conflict = try await send(params.merging(["subject": "Anders"]) { $1 }, key: simulator.apiKey, idempotencyKey: "welcome/1", to: baseURL)
        #expect(conflict.error?.code == 409)
        #expect(conflict.error?.type == "invalid_idempotent_request")
    }
}
