import Fluent
import Foundation
import Jobs
import Mail
import Vapor

/// Queues emails: renders each in its recipient's language and hands it to an `email-notification`
/// job, so a slow or failing provider never holds up the request that asked for it.
struct EmailQueue: Sendable {
    let context: AppContext
    let jobs: JobStore

    var layout: EmailLayout {
        EmailLayout(settings: context.configuration.email, catalog: context.catalog)
    }

    /// Queues the email as an `email-notification` job (in the caller's transaction when `on:` is one).
    func enqueue(
        _ template: some EmailTemplate, to recipient: EmailRecipient, organizationName: String?,
        unsubscribe: EmailUnsubscribe? = nil, replyTo: String? = nil,
        on database: any Database
    ) async throws {
        let message = self.message(template, to: recipient, organizationName: organizationName, unsubscribe: unsubscribe, replyTo: replyTo)
        try await jobs.enqueue([try .init(SendEmail.self, .init(kind: template.kind, message: message), priority: .high)], on: database)
    }

    /// The message as it is sent: rendered, addressed, with its headers and a Message-ID of its own.
    func message(
        _ template: some EmailTemplate, to recipient: EmailRecipient, organizationName: String?,
        unsubscribe: EmailUnsubscribe? = nil, replyTo: String? = nil
    ) -> MailMessage {
        let configuration = context.configuration
        let unsubscribeLinks = unsubscribe.map {
            EmailLayout.Unsubscribe(
                url: configuration.emailLink(SiteURL.unsubscribe.path(token: $0.token)), settingsURL: configuration.emailLink(SiteURL.notificationSettings.path)
            )
        }
        let rendered = layout.render(template, language: recipient.language, organizationName: organizationName, unsubscribe: unsubscribeLinks)
        let id = randomUUID(context.dependencies.randomBytes(16))
        let host = configuration.appURL.host ?? "localhost"
        var headers: [MailHeader] = []
        if let unsubscribeLinks {
            // RFC 8058: mail providers POST `List-Unsubscribe=One-Click` to the https link, without cookies.
            headers.append(MailHeader("List-Unsubscribe", "<\(unsubscribeLinks.url)>"))
            headers.append(MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        }
        let replyAddress = replyTo.map(EmailLayout.singleLine).flatMap { EmailSettings.isPlainAddress($0) ? MailAddress($0) : nil }
        let name = recipient.name.map(EmailLayout.singleLine).flatMap { $0.isEmpty ? nil : $0 }
        return MailMessage(
            from: MailAddress(configuration.email.senderEmail, name: configuration.email.productName),
            to: [MailAddress(EmailLayout.singleLine(recipient.email), name: name)],
            replyTo: replyAddress,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            headers: headers,
            messageID: "<\(id.uuidString.lowercased())@\(host)>",
            date: context.dependencies.now(),
            idempotencyKey: template.kind + "/" + id.uuidString.lowercased()
        )
    }
}

extension AppConfiguration {
    /// An absolute link to `path` on this app (`APP_URL`), for emails.
    func emailLink(_ path: String) -> String {
        var base = appURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }
}

/// A version-4 UUID from 16 random bytes (from `Dependencies.randomBytes`, so tests may fix them).
private func randomUUID(_ bytes: [UInt8]) -> UUID {
    var b = bytes + [UInt8](repeating: 0, count: max(0, 16 - bytes.count))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
}

extension Application {
    /// The email queue, for jobs and commands.
    var emails: EmailQueue { EmailQueue(context: context, jobs: backgroundJobs.store(db, context)) }
}

extension Request {
    /// The email queue. To queue together with other writes, pass the transaction as `on:`.
    var emails: EmailQueue { EmailQueue(context: context, jobs: jobs) }
}
