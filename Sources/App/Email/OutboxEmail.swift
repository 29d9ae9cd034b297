import Fluent
import Foundation
import Mail

/// One email written to the local outbox instead of being sent.
final class OutboxEmail: Model, @unchecked Sendable {
    static let schema = "outbox_emails"

    @ID(key: .id) var id: UUID?
    /// The template's kind ("invitation", "mention", ...).
    @Field(key: "kind") var kind: String
    @Field(key: "to_address") var toAddress: String
    @Field(key: "subject") var subject: String
    @Field(key: "text_body") var textBody: String
    @Field(key: "html_body") var htmlBody: String
    /// Every header as it would be sent, in order: `[["From", "..."], ...]`.
    @Field(key: "headers_json") var headersJSON: String
    @Field(key: "message_id") var messageID: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var headers: [MailHeader] {
        let pairs = (try? JSONDecoder().decode([[String]].self, from: Data(headersJSON.utf8))) ?? []
        return pairs.compactMap { $0.count == 2 ? MailHeader($0[0], $0[1]) : nil }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The http(s) links in the text part, in order.
    var links: [String] {
        textBody.matches(of: /https?:\/\/[^\s<>"]+/).map { String($0.output) }
    }
}

/// The embedded default `Mailer`: writes each message to `outbox_emails`, once per Message-ID.
struct OutboxMailer: Mailer {
    let database: any Database
    let now: @Sendable () -> Date

    func send(_ message: MailMessage) async throws -> MailReceipt {
        // Refused as a provider would refuse it: a header that could be split, an invalid address.
        try MIMEMessage.validate(message)
        let kind = message.idempotencyKey.split(separator: "/").first.map(String.init) ?? "email"
        do {
            if try await OutboxEmail.query(on: database).filter(\.$messageID == message.messageID).first() == nil {
                let email = OutboxEmail()
                email.id = UUID()
                email.kind = kind
                email.toAddress = message.to.map(\.email).joined(separator: ", ")
                email.subject = message.subject
                email.textBody = message.text
                email.htmlBody = message.html
                email.headersJSON = String(decoding: try JSONEncoder().encode(Self.headers(message).map { [$0.name, $0.value] }), as: UTF8.self)
                email.messageID = message.messageID
                email.createdAt = now()
                try await email.create(on: database)
            }
        } catch let error as MailError {
            throw error
        } catch {
            throw MailError.transient("the outbox could not be written: \(String(describing: error).prefix(200))", retryAfter: nil)
        }
        return MailReceipt(provider: "outbox", providerMessageID: message.messageID)
    }

    /// The headers the message carries, as a provider would write them (without MIME's own).
    static func headers(_ message: MailMessage) -> [MailHeader] {
        func address(_ address: MailAddress) -> String {
            guard let name = address.name, !name.isEmpty else { return address.email }
            return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\" <\(address.email)>"
        }
        var headers = [MailHeader("From", address(message.from)), MailHeader("To", message.to.map(address).joined(separator: ", "))]
        if let replyTo = message.replyTo { headers.append(MailHeader("Reply-To", address(replyTo))) }
        headers.append(MailHeader("Subject", message.subject))
        headers.append(MailHeader("Date", MIMEMessage.rfc5322Date(message.date)))
        headers.append(MailHeader("Message-ID", message.messageID))
        return headers + message.headers
    }
}
