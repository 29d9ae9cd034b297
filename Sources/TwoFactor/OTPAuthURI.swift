/// The `otpauth://` key URI that authenticator apps read from a QR code (Google Authenticator's
/// key URI format, which the other apps follow).
public enum OTPAuthURI {
    /// `otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30`.
    ///
    /// Issuer and account are percent-encoded apart (a `:` inside either becomes `%3A`, a space
    /// `%20`), so the label's one literal colon separates them. The secret is unpadded base32.
    public static func totp(secret: [UInt8], account: String, issuer: String, digits: Int = 6, period: Int = 30) -> String {
        let label = percentEncode(issuer) + ":" + percentEncode(account)
        let query = [
            ("secret", Base32.encode(secret)),
            ("issuer", issuer),
            ("algorithm", "SHA1"),
            ("digits", String(digits)),
            ("period", String(period)),
        ]
        return "otpauth://totp/" + label + "?" + query.map { $0.0 + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    /// Everything but RFC 3986's unreserved characters is percent-encoded as UTF-8.
    static func percentEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(hex[Int(byte >> 4)])
                output.unicodeScalars.append(hex[Int(byte & 0x0f)])
            }
        }
        return output
    }
}
