import Foundation

/// Ids shaped like Meta's: random, unique, never sequential.
enum Identifiers {
    /// `wamid.HBgL…`: base64 of a small header, the customer's number and 20 random hex digits, like Meta's.
    static func wamid(customer waID: String) -> String {
        var bytes: [UInt8] = [0x1C, 0x18, UInt8(truncatingIfNeeded: waID.utf8.count)]
        bytes += Array(waID.utf8)
        bytes += [0x15, 0x02, 0x00, 0x12, 0x18, 0x14]
        bytes += Array(randomHex(20).uppercased().utf8)
        bytes.append(0x00)
        return "wamid." + Data(bytes).base64EncodedString()
    }

    /// Graph object ids (media, templates) are long decimal numbers.
    static func numericID() -> String {
        String(UInt64.random(in: 1_000_000_000_000_000...9_000_000_000_000_000))
    }

    static func fbtraceID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        return String((0..<23).map { _ in alphabet.randomElement()! })
    }

    static func randomHex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits.randomElement()! })
    }
}
