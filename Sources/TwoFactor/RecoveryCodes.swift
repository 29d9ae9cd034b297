/// Single-use recovery codes for when the authenticator is lost: `k7m2q-x9fa3`.
///
/// Ten symbols from a 32-letter alphabet (Crockford's base32 in lower case: digits and letters
/// without `i`, `l`, `o`, `u`) carry 50 bits each. The app stores only a hash of each code's
/// `normalize`d form and strikes a code once used.
public enum RecoveryCodes {
    /// Lower-case Crockford base32: no `i`, `l`, `o` or `u`, so nothing reads as another symbol.
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    /// Symbols in a code, shown as two groups of five.
    public static let symbolCount = 10
    /// Bits of randomness in one code: `symbolCount` × 5.
    public static let bitsPerCode = symbolCount * 5

    /// `count` codes from the given randomness (inject it for tests), each `xxxxx-xxxxx`.
    ///
    /// Each symbol takes the low five bits of one random byte: 256 is a multiple of 32, so every
    /// symbol is equally likely.
    public static func generate(count: Int = 10, randomBytes: (Int) -> [UInt8]) -> [String] {
        precondition(count >= 0, "a number of codes")
        let bytes = randomBytes(count * symbolCount)
        precondition(bytes.count == count * symbolCount, "randomBytes returned \(bytes.count) bytes, not \(count * symbolCount)")
        return (0..<count).map { index in
            let symbols = bytes[(index * symbolCount)..<((index + 1) * symbolCount)].map { alphabet[Int($0 & 0x1f)] }
            return grouped(symbols)
        }
    }

    /// The canonical form of what someone typed, to hash and compare with the stored codes.
    ///
    /// Case, spaces, hyphens and other separators are ignored, and the look-alikes are read as
    /// Crockford's base32 does (`o` → `0`, `i`/`l` → `1`). Ten valid symbols give `xxxxx-xxxxx`
    /// (so `normalize(code) == code` for every generated code); anything else gives the input's
    /// cleaned-up letters, which match no code.
    public static func normalize(_ input: String) -> String {
        var symbols: [UInt8] = []
        var valid = true
        for scalar in input.lowercased().unicodeScalars {
            guard scalar.isASCII else {
                // Typed or pasted separators: non-breaking spaces, en and em dashes.
                if !(scalar.properties.isWhitespace || scalar.properties.generalCategory == .dashPunctuation) { valid = false }
                continue
            }
            var byte = UInt8(scalar.value)
            switch byte {
            case UInt8(ascii: "o"): byte = UInt8(ascii: "0")
            case UInt8(ascii: "i"), UInt8(ascii: "l"): byte = UInt8(ascii: "1")
            default: break
            }
            if alphabet.contains(byte) {
                symbols.append(byte)
            } else if byte.isSeparator {
                continue
            } else {
                valid = false
                symbols.append(byte)
            }
        }
        guard valid, symbols.count == symbolCount else { return String(decoding: symbols, as: UTF8.self) }
        return grouped(symbols)
    }

    private static func grouped(_ symbols: [UInt8]) -> String {
        let half = symbols.count / 2
        return String(decoding: symbols[..<half], as: UTF8.self) + "-" + String(decoding: symbols[half...], as: UTF8.self)
    }
}

extension UInt8 {
    /// What people put between groups: spaces, hyphens (and the en dash's ASCII cousins), dots, underscores.
    fileprivate var isSeparator: Bool {
        self == UInt8(ascii: " ") || self == UInt8(ascii: "-") || self == UInt8(ascii: "_") || self == UInt8(ascii: ".")
            || self == UInt8(ascii: "\t") || self == UInt8(ascii: "\n") || self == UInt8(ascii: "\r")
    }
}
