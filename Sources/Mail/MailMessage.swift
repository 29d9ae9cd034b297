import Foundation

/// One email address, with the display name shown beside it.
public struct MailAddress: Sendable, Codable, Hashable {
    public var email: String
    public var name: String?

    public init(_ email: String, name: String? = nil) {
        self.email = email
        self.name = name
    }
}

/// A header beyond the ones every message has (From, To, Subject, Date, Message-ID, MIME).
public struct MailHeader: Sendable, Codable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One email, with both an HTML and a plain-text body, ready for any `Mailer`.
public struct MailMessage: Sendable, Codable, Hashable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    public var text: String
    public var html: String
    /// Extra headers, such as List-Unsubscribe and List-Unsubscribe-Post.
    public var headers: [MailHeader]
    /// `<unique@domain>`, the same on every attempt to send this message.
    public var messageID: String
    public var date: Date
    /// The same on every attempt to send this message: a provider that knows it sends it once.
    public var idempotencyKey: String

    public init(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, subject: String, text: String, html: String,
        headers: [MailHeader] = [], messageID: String, date: Date, idempotencyKey: String
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.messageID = messageID
        self.date = date
        self.idempotencyKey = idempotencyKey
    }
}

extension MailMessage {
    /// Whether an address has letters beyond ASCII (RFC 6531): SMTP may carry such a message only
    /// to a server that offers SMTPUTF8.
    public var needsSMTPUTF8: Bool {
        ([from] + to + [replyTo].compactMap { $0 }).contains { !$0.email.unicodeScalars.allSatisfy(\.isASCII) }
    }
}

/// What a provider said when it took a message.
public struct MailReceipt: Sendable, Codable, Hashable {
    /// "resend", "smtp", "outbox".
    public var provider: String
    /// The provider's id of the message, where it gives one (Resend's `id`, the SMTP server's queue answer).
    public var providerMessageID: String?

    public init(provider: String, providerMessageID: String?) {
        self.provider = provider
        self.providerMessageID = providerMessageID
    }
}

/// Why a message was not sent, as a caller must act on it.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Trying again later may work (429, 5xx, a timeout, a dropped connection, SMTP 4xx).
    case transient(String, retryAfter: TimeInterval?)
    /// Trying again will not help (a refused key or sender, an invalid address, SMTP 5xx).
    case permanent(String)

    public var description: String {
        switch self {
        case .transient(let reason, _): "transient: " + reason
        case .permanent(let reason): "permanent: " + reason
        }
    }
}

/// Something that delivers email: Resend, SMTP, or the app's local outbox.
public protocol Mailer: Sendable {
    /// Sends the message, or throws `MailError`.
    func send(_ message: MailMessage) async throws -> MailReceipt
}
