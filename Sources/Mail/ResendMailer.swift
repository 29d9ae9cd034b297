import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Where and how to reach Resend's HTTP API.
public struct ResendConfiguration: Sendable {
    public var apiKey: String
    /// `https://api.resend.com`, or a loopback fake in tests.
    public var baseURL: String
    /// The longest one request may take, connecting included.
    public var timeout: TimeInterval

    public init(apiKey: String, baseURL: String = "https://api.resend.com", timeout: TimeInterval = 30) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.timeout = timeout
    }
}

/// Sends mail with Resend's `POST /emails`, one request per message, with the message's idempotency key
/// so a retried job never sends twice.
///
/// Resend's answers become `MailError`s as its error reference says: 429 (rate limit or quota, with
/// `retry-after`), 5xx, a timeout or a dropped connection are transient; 400/401/403/404/422 and a
/// reused idempotency key with another body are permanent; a concurrent request with the same key
/// is transient.
public struct ResendMailer: Mailer {
    public let configuration: ResendConfiguration
    let client: HTTPClient

    public init(_ configuration: ResendConfiguration, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.client = client
    }

    /// The JSON body Resend documents for `POST /emails`.
    struct Body: Encodable {
        var from: String
        var to: [String]
        var subject: String
        var html: String
        var text: String
        var replyTo: String?
        var headers: [String: String]?

        enum CodingKeys: String, CodingKey {
            case from, to, subject, html, text, headers
            case replyTo = "reply_to"
        }
    }

    /// Resend's error body: `{"statusCode": 422, "message": "...", "name": "validation_error"}`.
    struct ErrorBody: Decodable {
        var statusCode: Int?
        var message: String?
        var name: String?
    }

    struct Success: Decodable {
        var id: String
    }

    static func body(for message: MailMessage) throws -> Body {
        try MIMEMessage.validate(message)
        var headers: [String: String] = [:]
        for header in message.headers { headers[header.name] = header.value }
        return Body(
            from: formatted(message.from), to: message.to.map(formatted), subject: message.subject,
            html: message.html, text: message.text, replyTo: message.replyTo.map(formatted),
            headers: headers.isEmpty ? nil : headers)
    }

    /// `email@example.com` or `Name <email@example.com>`, the forms Resend accepts; a name with
    /// characters that would end it early is quoted.
    static func formatted(_ address: MailAddress) -> String {
        guard let name = address.name, !name.isEmpty else { return address.email }
        if name.contains(where: { "<>\",;:@\\()[]".contains($0) }) {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\" <\(address.email)>"
        }
        return "\(name) <\(address.email)>"
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = try encoder.encode(Self.body(for: message))
        let base = configuration.baseURL.hasSuffix("/") ? String(configuration.baseURL.dropLast()) : configuration.baseURL
        var request = HTTPClientRequest(url: base + "/emails")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: message.idempotencyKey)
        request.headers.add(name: "User-Agent", value: "ADSapp-mail")
        request.body = .bytes(ByteBuffer(data: payload))

        let status: Int
        let retryAfter: String?
        let responseBody: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeout * 1000)))
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "retry-after")
            responseBody = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw MailError.transient("Resend did not answer: \(error)", retryAfter: nil)
        }
        if status == 200 || status == 201 {
            guard let success = try? JSONDecoder().decode(Success.self, from: responseBody) else {
                throw MailError.transient("Resend answered \(status) without an id", retryAfter: nil)
            }
            return MailReceipt(provider: "resend", providerMessageID: success.id)
        }
        throw Self.error(status: status, retryAfter: retryAfter, body: responseBody)
    }

    static func error(status: Int, retryAfter header: String?, body: ByteBuffer) -> MailError {
        let decoded = try? JSONDecoder().decode(ErrorBody.self, from: body)
        let name = decoded?.name ?? "unknown"
        let reason = "Resend answered \(status) \(name): \(decoded?.message ?? String(buffer: body).prefix(300).description)"
        let retryAfter = header.flatMap { TimeInterval($0.trimmingCharacters(in: .whitespaces)) }
        switch status {
        case 429:
            return .transient(reason, retryAfter: retryAfter ?? 1)
        case 409 where name == "concurrent_idempotent_requests":
            return .transient(reason, retryAfter: retryAfter ?? 1)
        case 408, 500...599:
            return .transient(reason, retryAfter: retryAfter)
        default:
            return .permanent(reason)
        }
    }
}
