import Crypto
import Foundation

/// AWS Signature Version 4, for requests authorized with an `Authorization` header.
///
/// Paths are URI-encoded once and not normalized, as S3 requires (other AWS services encode twice;
/// this signer is for S3-compatible stores). Every header given is signed, plus `x-amz-date`.
public struct SigV4Signer: Sendable {
    public let accessKeyID: String
    private let secretAccessKey: String
    public let region: String
    public let service: String

    public init(accessKeyID: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    public struct Request: Sendable {
        public var method: String
        /// The path before encoding, e.g. `/bucket/photos/cat.jpg`.
        public var path: String
        /// Query parameters before encoding, in any order.
        public var query: [(name: String, value: String)]
        /// The headers to sign; `host` must be among them.
        public var headers: [(name: String, value: String)]
        /// Lowercase hex SHA-256 of the body (of the empty string when there is none).
        public var payloadHash: String

        public init(
            method: String, path: String, query: [(name: String, value: String)] = [],
            headers: [(name: String, value: String)], payloadHash: String
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The request's headers with `x-amz-date` and `authorization` added: send exactly these.
    public func sign(_ request: Request, at date: Date) -> [(name: String, value: String)] {
        let amzDate = Self.amzDate(date)
        var headers = request.headers.filter { $0.name.lowercased() != "x-amz-date" }
        headers.append((name: "x-amz-date", value: amzDate))
        var dated = request
        dated.headers = headers
        headers.append((name: "authorization", value: authorization(for: dated, amzDate: amzDate)))
        return headers
    }

    /// The `Authorization` header value for a request whose headers already carry `x-amz-date`.
    func authorization(for request: Request, amzDate: String) -> String {
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let canonical = canonicalRequest(request)
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Hex.sha256(Data(canonical.request.utf8))].joined(separator: "\n")
        let signature = Hex.string(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: String(amzDate.prefix(8)))))
        return "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
    }

    func canonicalRequest(_ request: Request) -> (request: String, signedHeaders: String) {
        var headers: [String: [String]] = [:]
        for (name, value) in request.headers {
            headers[name.lowercased(), default: []].append(Self.trimmed(value))
        }
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let encodedQuery: [(name: String, value: String)] = request.query.map { parameter in
            (name: Self.uriEncode(parameter.name, keepSlash: false), value: Self.uriEncode(parameter.value, keepSlash: false))
        }
        let sortedQuery = encodedQuery.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        let query = sortedQuery.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let path = request.path.isEmpty ? "/" : Self.uriEncode(request.path, keepSlash: true)
        let text = [request.method, path, query, canonicalHeaders, signedHeaders, request.payloadHash].joined(separator: "\n")
        return (text, signedHeaders)
    }

    private func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// `20130524T000000Z`: the request time in UTC.
    static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ",
            parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!
        )
    }

    /// RFC 3986 encoding as SigV4 defines it: unreserved characters stay, every other byte is `%XX`.
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                encoded.append("/")
            default:
                encoded += "%" + Hex.byte(byte).uppercased()
            }
        }
        return encoded
    }

    /// Trims the value and collapses runs of spaces, as the canonical headers require.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }
}

enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func byte(_ byte: UInt8) -> String {
        String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }

    static func string<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func sha256(_ data: Data) -> String {
        string(SHA256.hash(data: data))
    }
}
