import Crypto
import Foundation

/// The `X-Hub-Signature-256` header Meta puts on every webhook POST:
/// `"sha256=" + hex(HMAC-SHA256(raw body bytes, app secret))`.
///
/// The hex digest is accepted in either case (Meta sends lower case; a proxy that upper-cases
/// it does not change the digest). Anything else — a missing header, another prefix, a wrong
/// length, non-hex characters — is refused.
public enum WebhookSignature {
    public static let headerName = "X-Hub-Signature-256"
    static let prefix = "sha256="

    public static func isValid(body: some Collection<UInt8>, header: String?, appSecret: String) -> Bool {
        guard let header, header.hasPrefix(prefix), !appSecret.isEmpty else { return false }
        guard let received = decodeHex(header.dropFirst(prefix.count)), received.count == SHA256.byteCount else { return false }
        let key = SymmetricKey(data: Array(appSecret.utf8))
        // HMAC.isValidAuthenticationCode compares in constant time.
        return HMAC<SHA256>.isValidAuthenticationCode(received, authenticating: Array(body), using: key)
    }

    public static func header(body: some Collection<UInt8>, appSecret: String) -> String {
        let key = SymmetricKey(data: Array(appSecret.utf8))
        let code = HMAC<SHA256>.authenticationCode(for: Array(body), using: key)
        return prefix
            + code.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }

    private static func decodeHex(_ text: Substring) -> [UInt8]? {
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
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
