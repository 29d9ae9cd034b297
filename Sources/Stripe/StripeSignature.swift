import Crypto
import Foundation

/// The `Stripe-Signature` header on every webhook POST:
/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the endpoint secret>`.
///
/// While a secret is being rolled Stripe signs with each live secret and sends one `v1=` per secret,
/// and we may hold more than one ourselves (`STRIPE_WEBHOOK_SECRET` lists them): a header is good
/// when any `v1` matches any of our secrets. Other schemes (`v0=`, test-mode extras) are ignored. The
/// timestamp must be within the tolerance of our clock, either way, so a captured request cannot be
/// replayed later.
public enum StripeSignature {
    public static let headerName = "Stripe-Signature"
    /// Stripe's own libraries' default.
    public static let defaultTolerance: TimeInterval = 300

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case missingHeader
        case malformedHeader
        case noSecret
        case noMatchingSignature
        case outsideTolerance(timestamp: Int)

        public var description: String {
            switch self {
            case .missingHeader: "no Stripe-Signature header"
            case .malformedHeader: "the Stripe-Signature header has no timestamp or no v1 signature"
            case .noSecret: "no webhook secret is configured"
            case .noMatchingSignature: "no v1 signature matches a webhook secret"
            case .outsideTolerance(let timestamp): "the signature's timestamp \(timestamp) is outside the tolerance"
            }
        }
    }

    /// Checks the header over the raw body and returns its timestamp.
    @discardableResult
    public static func verify(
        body: some Collection<UInt8>, header: String?, secrets: [String], now: Date, tolerance: TimeInterval = defaultTolerance
    ) throws(Failure) -> Date {
        guard let header, !header.isEmpty else { throw .missingHeader }
        let secrets = secrets.filter { !$0.isEmpty }
        guard !secrets.isEmpty else { throw .noSecret }
        var timestamp: Int?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            if name == "t" {
                guard timestamp == nil, let seconds = Int(value) else { throw .malformedHeader }
                timestamp = seconds
            } else if name == "v1", let digest = decodeHex(value), digest.count == SHA256.byteCount {
                signatures.append(digest)
            }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformedHeader }
        let signed = Array("\(timestamp).".utf8) + Array(body)
        // Every pair is compared, in constant time each, whatever matched first.
        var matched = false
        for secret in secrets {
            let key = SymmetricKey(data: Array(secret.utf8))
            for signature in signatures where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key) {
                matched = true
            }
        }
        guard matched else { throw .noMatchingSignature }
        let sent = Date(timeIntervalSince1970: TimeInterval(timestamp))
        guard abs(now.timeIntervalSince(sent)) <= tolerance else { throw .outsideTolerance(timestamp: timestamp) }
        return sent
    }

    /// The header Stripe would send for this body, one `v1` per secret (what the fake uses to sign).
    public static func header(body: some Collection<UInt8>, secrets: [String], timestamp: Date) -> String {
        let seconds = Int(timestamp.timeIntervalSince1970)
        let signed = Array("\(seconds).".utf8) + Array(body)
        let v1 = secrets.map { secret in
            let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
            return "v1=" + code.map { String(format: "%02x", $0) }.joined()
        }
        return (["t=\(seconds)"] + v1).joined(separator: ",")
    }

    private static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
