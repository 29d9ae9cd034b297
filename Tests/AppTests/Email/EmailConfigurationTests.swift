@testable import App
import Foundation
import Testing

/// `RESEND_*` and `SMTP_*`: which mailer, and clear errors for settings that cannot work.
@Suite struct EmailConfigurationTests {
    func load(_ variables: [String: String]) throws(ConfigurationError) -> EmailSettings {
        var environment = ["APP_URL": "https://inbox.example.com"]
        environment.merge(variables) { $1 }
        return try AppConfiguration.load(from: environment, environment: .testing).email
    }

    func problem(_ variables: [String: String]) -> ConfigurationError? {
        do {
            _ = try load(variables)
            return nil
        } catch {
            return error
        }
    }

    @Test func nothingSetMeansTheLocalOutbox() throws {
        let settings = try load([:])
        #expect(settings.summary == "outbox")
        #expect(settings.senderEmail == "no-reply@inbox.example.com")
    }

    @Test func resendWithSMTPAsFallback() throws {
        let settings = try load([
            "RESEND_API_KEY": "re_123", "RESEND_FROM_EMAIL": "inbox@example.com", "SMTP_HOST": "smtp.example.com", "SMTP_USERNAME": "u",
            "SMTP_PASSWORD": "p",
        ])
        #expect(settings.summary == "resend, smtp fallback")
        #expect(settings.resend?.apiURL.absoluteString == "https://api.resend.com")
        #expect(settings.smtp?.port == 587 && settings.smtp?.security == .starttls, "STARTTLS on 587 by default")
        #expect(settings.smtp?.fromEmail == "inbox@example.com", "SMTP sends from Resend's address unless told otherwise")
        #expect(settings.smtp?.timeout == 30)
        let tls = try load(["SMTP_HOST": "smtp.example.com", "SMTP_SECURITY": "tls", "SMTP_FROM_EMAIL": "a@example.com", "SMTP_TIMEOUT_SECONDS": "5"])
        #expect(tls.smtp?.port == 465 && tls.smtp?.timeout == 5 && tls.summary == "smtp")
    }

    @Test(arguments: [
        (["RESEND_API_KEY": "re_123"], "RESEND_FROM_EMAIL"),
        (["RESEND_API_KEY": "re_123", "RESEND_FROM_EMAIL": "Inbox <inbox@example.com>"], "RESEND_FROM_EMAIL"),
        (["RESEND_API_KEY": "re_123", "RESEND_FROM_EMAIL": "a@example.com", "RESEND_API_URL": "http://resend.example.com"], "RESEND_API_URL"),
        (["SMTP_HOST": "smtp.example.com"], "SMTP_FROM_EMAIL"),
        (["SMTP_HOST": "smtp.example.com", "SMTP_FROM_EMAIL": "a@example.com", "SMTP_SECURITY": "plain"], "SMTP_SECURITY"),
        (["SMTP_HOST": "smtp.example.com", "SMTP_FROM_EMAIL": "a@example.com", "SMTP_SECURITY": "ssl3"], "SMTP_SECURITY"),
        (["SMTP_HOST": "smtp.example.com", "SMTP_FROM_EMAIL": "a@example.com", "SMTP_PORT": "70000"], "SMTP_PORT"),
        (["SMTP_HOST": "smtp.example.com", "SMTP_FROM_EMAIL": "a@example.com", "SMTP_USERNAME": "u"], "SMTP_PASSWORD"),
        (["SMTP_HOST": "smtp.example.com", "SMTP_FROM_EMAIL": "a@example.com", "SMTP_CA_FILE": "/nonexistent/ca.pem"], "SMTP_CA_FILE"),
        (["SMTP_HOST": "smtp.example.com", "SMTP_FROM_EMAIL": "a@example.com", "SMTP_TIMEOUT_SECONDS": "0"], "SMTP_TIMEOUT_SECONDS"),
        (["SMTP_HOST": "smtp.example.com", "SMTP_FROM_EMAIL": "a@example.com\r\nBcc: x@evil.test"], "SMTP_FROM_EMAIL"),
        (["SMTP_PASSWORD": "p"], "SMTP_HOST"),
    ])
    func settingsThatCannotWorkAreNamed(_ variables: [String: String], _ variable: String) {
        let error = problem(variables)
        #expect(error?.variable == variable, "\(variables): \(String(describing: error))")
    }

    @Test func plainSMTPIsAllowedOnlyOnThisMachine() throws {
        let settings = try load(["SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2525", "SMTP_SECURITY": "plain", "SMTP_FROM_EMAIL": "a@example.com"])
        #expect(settings.smtp?.security == .plain)
        let resend = try load(["RESEND_API_KEY": "k", "RESEND_FROM_EMAIL": "a@example.com", "RESEND_API_URL": "http://127.0.0.1:4010"])
        #expect(resend.resend?.apiURL.absoluteString == "http://127.0.0.1:4010", "tests point Resend at the loopback simulator")
    }
}
