import Crypto
import Foundation

/// The outside world the app reads from: time and randomness. Injected so tests can fix them.
public struct Dependencies: Sendable {
    public var now: @Sendable () -> Date
    public var randomBytes: @Sendable (_ count: Int) -> [UInt8]

    public init(now: @escaping @Sendable () -> Date, randomBytes: @escaping @Sendable (Int) -> [UInt8]) {
        self.now = now
        self.randomBytes = randomBytes
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
    func base64URLEncoded() -> String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// SHA-256 hex digest, used to store session tokens so a leaked database row is not a login.
func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}

/// Compares two strings in time independent of where they differ.
func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(lhs.utf8), b = Array(rhs.utf8)
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
