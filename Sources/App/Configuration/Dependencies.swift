import Crypto
import Foundation
import KeyVault
import Mail
import ObjectStore
import WhatsAppCloud

/// The outside world the app reads from and talks to: time, randomness, and the services it
/// would otherwise make from the configuration. Injected so tests can fix or replace them.
public struct Dependencies: Sendable {
    public var now: @Sendable () -> Date
    public var randomBytes: @Sendable (_ count: Int) -> [UInt8]
    /// The WhatsApp Graph API; `nil`: a `GraphAPIClient` for the configured Graph URL.
    public var graphAPI: (any GraphAPI)?
    /// Where media is stored; `nil`: the configured store (local disk or S3).
    public var objectStore: (any ObjectStore)?
    /// What wraps organizations' data keys; `nil`: the master key file in the data directory.
    public var keyProvider: (any KeyProvider)?
    /// What delivers email; `nil`: the configured one (Resend, SMTP, or the local outbox).
    public var mailer: (any Mailer)?

    public init(
        now: @escaping @Sendable () -> Date, randomBytes: @escaping @Sendable (Int) -> [UInt8],
        graphAPI: (any GraphAPI)? = nil, objectStore: (any ObjectStore)? = nil, keyProvider: (any KeyProvider)? = nil,
        mailer: (any Mailer)? = nil
    ) {
        self.now = now
        self.randomBytes = randomBytes
        self.graphAPI = graphAPI
        self.objectStore = objectStore
        self.keyProvider = keyProvider
        self.mailer = mailer
    }

    public static let live = Dependencies(
        now: { Date() },
        randomBytes: { count in
            // Eight bytes per draw: each draw is a getrandom(2) call, and tokens are made on every anonymous page.
            var generator = SystemRandomNumberGenerator()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count + 8)
            while bytes.count < count {
                withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
            }
            return Array(bytes.prefix(count))
        }
    )

    /// A URL-safe random token with `bytes` bytes of entropy (default 32 = 256 bits).
    public func randomToken(bytes: Int = 32) -> String {
        Data(randomBytes(bytes)).base64URLEncoded()
    }
}

extension Data {
    /// Base64 with the URL-safe alphabet and no padding (RFC 4648, section 5). Every signed-in
    /// request derives its CSRF token with it: the bytes are mapped in one pass.
    func base64URLEncoded() -> String {
        String(
            decoding: base64EncodedData().compactMap { byte -> UInt8? in
                switch byte {
                case UInt8(ascii: "+"): UInt8(ascii: "-")
                case UInt8(ascii: "/"): UInt8(ascii: "_")
                case UInt8(ascii: "="): nil
                default: byte
                }
            }, as: UTF8.self)
    }
}

/// SHA-256 hex digest, used to store session tokens so a leaked database row is not a login.
func sha256Hex(_ text: String) -> String {
    // Every signed-in request hashes its cookie: 64 digits written directly, not 32 `String(format:)` calls.
    let digits = Array("0123456789abcdef".utf8)
    var hex = [UInt8]()
    hex.reserveCapacity(64)
    for byte in SHA256.hash(data: Data(text.utf8)) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: hex, as: UTF8.self)
}

/// Compares two strings in time independent of where they differ.
func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(lhs.utf8), b = Array(rhs.utf8)
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
