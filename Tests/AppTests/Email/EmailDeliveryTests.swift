@testable import App
import Fluent
import Foundation
import Jobs
import Mail
import ResendSimulator
import Synchronization
import Testing
import Vapor

/// A mailer that records what it is given and fails as it is told.
final class RecordingMailer: Mailer {
    private let state = Mutex<(sent: [MailMessage], attempts: Int, failures: [MailError])>(([], 0, []))

    init(failing failures: [MailError] = []) { state.withLock { $0.failures = failures } }

    var sent: [MailMessage] { state.withLock { $0.sent } }
    var attempts: Int { state.withLock { $0.attempts } }

    func send(_ message: MailMessage) async throws -> MailReceipt {
        let failure: MailError? = state.withLock { state in
            state.attempts += 1
            return state.failures.isEmpty ? nil : state.failures.removeFirst()
        }
        if let failure { throw failure }
        state.withLock { $0.sent.append(message) }
        return MailReceipt(provider: "recording", providerMessageID: message.messageID)
    }
}

/// Stands in for the app's mailer once the app exists (the selection needs the app's settings).
final class LateMailer: Mailer {
    private let inner = Mutex<(any Mailer)?>(nil)
    func set(_ mailer: any Mailer) { inner.withLock { $0 = mailer } }
    func send(_ message: MailMessage) async throws -> MailReceipt {
        guard let mailer = inner.withLock({ $0 }) else { throw MailError.permanent("no mailer yet") }
        return try await mailer.send(message)
    }
}

struct Hello: EmailTemplate {
    var kind: String { "hello" }
    func subject(_ t: Localizer) -> String { "Hello" }
    func body(_ t: Localizer) -> EmailBody {
        EmailBody(greeting: "Hi Bram,", paragraphs: ["A test."], action: EmailAction(label: "Open", url: "https://x.test/a"))
    }
}

/// Sending by `email-notification` jobs: retries, Retry-After, permanent refusals, and Resend → SMTP failover.
@Suite struct EmailDeliveryTests {
    static let bram = EmailRecipient(email: "bram@example.com", name: "Bram", language: .en)

    func queue(_ test: TestApp) async throws {
        try await test.app.emails.enqueue(Hello(), to: Self.bram, organizationName: "Bakkerij Anna", on: test.db)
    }

    @Test func aTransientFailureIsRetriedWithBackoffAndTheRequestNeverWaits() async throws {
        let mailer = RecordingMailer(failing: [.transient("503 from the provider", retryAfter: nil), .transient("timeout", retryAfter: nil)])
        try await TestApp.run(mailer: mailer) { test in
            try await queue(test)
            try await test.runJobsUntilIdle()
            #expect(mailer.attempts == 1 && mailer.sent.isEmpty, "the first attempt failed; the retry waits for its backoff")
            test.clock.advance(by: 60)
            try await test.runJobsUntilIdle()
            test.clock.advance(by: 60)
            try await test.runJobsUntilIdle()
            #expect(mailer.attempts == 3)
            #expect(mailer.sent.count == 1)
            let sent = try #require(mailer.sent.first)
            #expect(sent.to == [MailAddress("bram@example.com", name: "Bram")])
            #expect(sent.idempotencyKey.hasPrefix("hello/"), "the same key on every attempt")
        }
    }

    @Test func aProvidersRetryAfterIsHonoured() async throws {
        let mailer = RecordingMailer(failing: [.transient("429 rate_limit_exceeded", retryAfter: 300)])
        try await TestApp.run(mailer: mailer) { test in
            try await queue(test)
            try await test.runJobsUntilIdle()
            test.clock.advance(by: 120)
            try await test.runJobsUntilIdle()
            #expect(mailer.attempts == 1, "not before the provider's Retry-After")
            test.clock.advance(by: 200)
            try await test.runJobsUntilIdle()
            #expect(mailer.sent.count == 1)
        }
    }

    @Test func attemptsAreCountedOverTheJobsARetryAfterQueuesAndStopAtTheLimit() async throws {
        let mailer = RecordingMailer(failing: Array(repeating: .transient("429 rate_limit_exceeded", retryAfter: 60), count: 20))
        try await TestApp.run(mailer: mailer) { test in
            try await queue(test)
            for _ in 0..<20 {
                try await test.runJobsUntilIdle()
                test.clock.advance(by: 61)
            }
            #expect(mailer.attempts == SendEmail.maxAttempts)
            let dead = try await JobStore(database: test.db, now: { test.clock.now }).troubled().dead
            #expect(dead.count == 1)
            #expect(dead.first?.lastError == "email not sent after \(SendEmail.maxAttempts) attempts: 429 rate_limit_exceeded")
        }
    }

    @Test func anSMTPConversationAlwaysEndsBeforeItsJobsTimeLimit() throws {
        let variables = ["SMTP_HOST": "smtp.example.com", "SMTP_FROM_EMAIL": "relay@example.com", "SMTP_TIMEOUT_SECONDS": "600"]
        let settings = try EmailSettings.load(appURL: URL(string: "https://app.example.com")!) { variables[$0] }
        let smtp = EmailDelivery.configuration(try #require(settings.smtp), ehloName: "app.example.com")
        #expect(smtp.totalTimeout == EmailDelivery.longestSMTPConversation)
        #expect(smtp.commandTimeout <= smtp.totalTimeout && smtp.connectTimeout <= smtp.totalTimeout)
        // Resend first, then SMTP taking over, within one run of the job.
        #expect(SendEmail.timeLimit > .seconds(EmailDelivery.resendTimeout + smtp.totalTimeout))
    }

    @Test func aPermanentRefusalEndsTheJobWithoutRetriesOrTheAddressInTheLog() async throws {
        let mailer = RecordingMailer(failing: [.permanent("422 validation_error: bram@example.com is not a valid address")])
        try await TestApp.run(mailer: mailer) { test in
            try await queue(test)
            try await test.runJobsUntilIdle()
            test.clock.advance(by: 7200)
            try await test.runJobsUntilIdle()
            #expect(mailer.attempts == 1)
            #expect(mailer.sent.isEmpty)
            // The jobs page shows it dead with the provider's reason, not as sent.
            let dead = try await JobStore(database: test.db, now: { test.clock.now }).troubled().dead
            #expect(dead.count == 1)
            #expect(dead.first?.kind == SendEmail.kind)
            #expect(dead.first?.attempts == 1)
            #expect(dead.first?.lastError == "email not sent: the provider refused it: 422 validation_error: [address] is not a valid address")
            #expect(EmailRedaction.redacted("550 <bram@example.com> unknown") == "550 <[address]> unknown")
        }
    }

    @Test func resendRefusingForGoodHandsTheMessageToSMTP() async throws {
        let resend = ResendSimulator()
        let resendURL = try await resend.start()
        let smtp = RecordingMailer()
        let late = LateMailer()
        do {
            let variables = [
                "RESEND_API_KEY": resend.apiKey, "RESEND_FROM_EMAIL": "inbox@mail.example.com", "RESEND_API_URL": resendURL.absoluteString,
                "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2525", "SMTP_SECURITY": "plain", "SMTP_FROM_EMAIL": "relay@example.com",
            ]
            try await TestApp.run(variables: variables, mailer: late) { test in
                #expect(test.app.context.configuration.email.summary == "resend, smtp fallback")
                late.set(
                    EmailDelivery.mailer(
                        test.app.context.configuration.email, appURL: test.app.context.configuration.appURL, httpClient: .shared, database: test.db,
                        now: { test.clock.now }, smtpClient: { _ in smtp }))

                // Resend takes the first.
                try await queue(test)
                try await test.runJobsUntilIdle()
                #expect(resend.emails.count == 1)
                #expect(resend.emails.first?.from.contains("inbox@mail.example.com") == true)
                #expect(smtp.sent.isEmpty)

                // A 5xx is transient: retried at Resend, not failed over.
                resend.script(.serverError)
                try await queue(test)
                try await test.runJobsUntilIdle()
                #expect(smtp.sent.isEmpty)
                test.clock.advance(by: 60)
                try await test.runJobsUntilIdle()
                #expect(resend.emails.count == 2)

                // A refused key is permanent: SMTP sends it, from its own address.
                resend.script(.invalidAPIKey)
                try await queue(test)
                try await test.runJobsUntilIdle()
                #expect(smtp.sent.count == 1)
                #expect(smtp.sent.first?.from.email == "relay@example.com")
                #expect(smtp.sent.first?.from.name == "ADSapp")
                #expect(try await test.sentEmails().isEmpty, "nothing in the outbox when a provider is configured")
            }
        } catch {
            try? await resend.shutdown()
            throw error
        }
        try await resend.shutdown()
    }

    @Test func withoutAProviderMailGoesToTheOutboxOncePerMessage() async throws {
        try await TestApp.run { test in
            #expect(test.app.context.configuration.email.summary == "outbox")
            let message = test.app.emails.message(Hello(), to: Self.bram, organizationName: nil)
            let outbox = OutboxMailer(database: test.db, now: { test.clock.now })
            _ = try await outbox.send(message)
            _ = try await outbox.send(message)
            let emails = try await test.sentEmails()
            #expect(emails.count == 1, "a retried job does not write the message twice")
            #expect(emails.first?.header("Message-ID") == message.messageID)
            #expect(message.messageID.hasSuffix("@127.0.0.1>"), "Message-ID on the host of APP_URL")
            #expect(emails.first?.header("Date") != nil)
            #expect(emails.first?.header("From") == "\"ADSapp\" <no-reply@127.0.0.1>")
            #expect(emails.first?.links == ["https://x.test/a"])
        }
    }
}
