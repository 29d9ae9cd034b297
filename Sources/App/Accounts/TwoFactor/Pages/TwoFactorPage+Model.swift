import Foundation

/// The person's two-factor sign-in: set it up (QR code, key, confirm), or see that it is on, renew
/// the recovery codes and turn it off.
enum TwoFactorPage {
    struct Model {
        /// Set when two-factor is not on yet.
        var setup: Setup?
        var remainingRecoveryCodes: Int = 0
        var notice: String?
        /// Why the person was sent here: an organization they work in requires two-factor.
        var requirement: String?
        /// Errors by form: `confirm`, `regenerate`, `disable`.
        var errors: [String: String] = [:]

        var isEnabled: Bool { setup == nil }
    }

    struct Setup {
        var qr: QRImage
        /// What the QR code says, for screen readers.
        var qrTitle: String
        /// The secret in base32, in groups of four, for typing in by hand.
        var secret: String
        var account: String
        var issuer: String
    }
}

/// A QR code as the page draws it: its dark modules, row by row (no quiet zone).
struct QRImage: Sendable, Equatable {
    var size: Int
    var dark: [Bool]

    func isDark(x: Int, y: Int) -> Bool { dark[y * size + x] }
}
