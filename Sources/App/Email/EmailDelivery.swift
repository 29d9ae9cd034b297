import AsyncHTTPClient
import Fluent
import Foundation
import Mail

/// Makes the `Mailer` the configuration asks for: Resend (with SMTP taking over when Resend refuses a
/// message for good and `SMTP_HOST` is set), else SMTP, else the local outbox.
enum EmailDelivery {
    /// The longest one SMTP conversation may take, whatever `SMTP_TIMEOUT_SECONDS` says: a send
    /// must end before its job's time limit, or a message the server took could be sent again.
    static let longestSMTPConversation: TimeInterval = 120
    /// Resend's request timeout.
    static let resendTimeout: TimeInterval = 30

    static func mailer(
        _ settings: EmailSettings, appURL: URL, httpClient: HTTPClient, database: any Database, now: @escaping @Sendable () -> Date,
        smtpClient: (SMTPConfiguration) -> any Mailer = { SMTPMailer($0) }
    ) -> any Mailer {
        let smtp = settings.smtp.map { smtp -> any Mailer in
            SenderMailer(sender: smtp.fromEmail, base: smtpClient(configuration(smtp, ehloName: appURL.host ?? "localhost")))
        }
        if let resend = settings.resend {
            let mailer = SenderMailer(
                sender: resend.fromEmail,
                base: ResendMailer(
                    ResendConfiguration(apiKey: resend.apiKey, baseURL: resend.apiURL.absoluteString, timeout: resendTimeout), client: httpClient))
            return smtp.map { FailoverMailer(primary: mailer, fallback: $0) } ?? mailer
        }
        return smtp ?? OutboxMailer(database: database, now: now)
    }

    static func configuration(_ smtp: EmailSettings.SMTP, ehloName: String) -> SMTPConfiguration {
        let security: SMTPConfiguration.Security =
            switch smtp.security {
            case .starttls: .startTLS
            case .tls: .implicitTLS
            case .plain: .plain
            }
        return SMTPConfiguration(
            host: smtp.host, port: smtp.port, security: security, username: smtp.username, password: smtp.password,
            trustRoots: smtp.caFile.map { .pemFile($0) } ?? .system, ehloName: ehloName,
            connectTimeout: min(smtp.timeout, longestSMTPConversation), commandTimeout: min(smtp.timeout, longestSMTPConversation),
            totalTimeout: min(max(60, smtp.timeout * 4), longestSMTPConversation))
    }
}

/// Sends from the provider's own configured address (Resend and SMTP may each have one), keeping the name.
struct SenderMailer: Mailer {
    let sender: String
    let base: any Mailer

    func send(_ message: MailMessage) async throws -> MailReceipt {
        var message = message
        message.from.email = sender
        return try await base.send(message)
    }
}
