import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) with HMAC-SHA1, the algorithm every authenticator app
/// supports. The secret is the shared key; a code belongs to one time step of `period` seconds.
public struct TOTP: Sendable {
    /// 160 bits: the size RFC 4226 recommends and the HMAC-SHA1 block output.
    public static let secretByteCount = 20

    public let secret: [UInt8]
    public let digits: Int
    public let period: TimeInterval

    /// `digits` is 6 to 10 (authenticator apps show 6); `period` is in seconds (apps use 30).
    public init(secret: [UInt8], digits: Int = 6, period: TimeInterval = 30) {
        precondition((6...10).contains(digits), "TOTP codes have 6 to 10 digits")
        precondition(period >= 1, "a TOTP period is at least one second")
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    /// A new shared secret of `secretByteCount` bytes from the given randomness (inject it for tests).
    public static func generateSecret(randomBytes: (Int) -> [UInt8]) -> [UInt8] {
        let bytes = randomBytes(secretByteCount)
        precondition(bytes.count == secretByteCount, "randomBytes returned \(bytes.count) bytes, not \(secretByteCount)")
        return bytes
    }

    /// The time step (counter) of a moment: whole periods since the Unix epoch.
    public static func step(at date: Date, period: TimeInterval = 30) -> Int64 {
        Int64((date.timeIntervalSince1970 / period).rounded(.down))
    }

    /// The code shown at `date`.
    public func code(at date: Date) -> String {
        code(forStep: Self.step(at: date, period: period))
    }

    /// The code of one time step (RFC 4226's HOTP with the step as counter).
    public func code(forStep step: Int64) -> String {
        let value = truncatedValue(step: step) % Self.powerOfTen(digits)
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The time step the code belongs to, if it matches within ±`skew` steps of `date`.
    ///
    /// Every candidate step is computed and compared in constant time, so the answer's timing says
    /// nothing about which step (or how many digits) matched. Spaces in the code are ignored
    /// ("123 456"); anything else that is not `digits` ASCII digits never matches. When two steps
    /// share a code, the one nearest `date` wins (the current step first, then the earlier one).
    public func matchingStep(for code: String, at date: Date, skew: Int = 1) -> Int64? {
        precondition(skew >= 0, "skew is a number of steps either side")
        let typed = Array(code.utf8.filter { $0 != UInt8(ascii: " ") })
        let wellFormed = typed.count == digits && typed.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        // Compare against a fixed-length buffer even when the input is malformed, to keep the work the same.
        let candidate = wellFormed ? typed : [UInt8](repeating: 0, count: digits)
        let now = Self.step(at: date, period: period)
        var found: Int64?
        var foundDistance = Int.max
        for offset in -skew...skew {
            let (step, overflow) = now.addingReportingOverflow(Int64(offset))
            if overflow { continue }
            let matches = Self.constantTimeEqual(Array(self.code(forStep: step).utf8), candidate)
            // Prefer the current step, then earlier ones: |offset| * 2 (+1 for later steps).
            let distance = abs(offset) * 2 + (offset > 0 ? 1 : 0)
            if matches && distance < foundDistance {
                found = step
                foundDistance = distance
            }
        }
        return wellFormed ? found : nil
    }

    /// The 31-bit number of RFC 4226's dynamic truncation.
    private func truncatedValue(step: Int64) -> Int {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        return (Int(mac[offset] & 0x7f) << 24) | (Int(mac[offset + 1]) << 16) | (Int(mac[offset + 2]) << 8) | Int(mac[offset + 3])
    }

    private static func powerOfTen(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    /// Equal lengths and bytes, without stopping at the first difference.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
