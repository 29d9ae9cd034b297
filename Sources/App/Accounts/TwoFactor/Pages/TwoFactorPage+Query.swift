import Foundation
import TwoFactor
import Vapor

extension TwoFactorPage {
    /// The page for the signed-in person: a secret to set up (made on first view and kept until
    /// confirmed, so a reload shows the same one) or the state of two-factor that is on.
    static func query(_ request: Request, _ signedIn: SignedIn, notice: String?, requirement: String?, errors: [String: String]) async throws -> Model {
        let account = request.twoFactor
        var model = Model(notice: notice, requirement: requirement, errors: errors)
        if let secret = try await account.pendingSecret(userID: signedIn.userID) {
            let issuer = request.context.configuration.email.productName
            model.setup = try setup(secret: secret, account: signedIn.user.email, issuer: issuer, t: request.localizer)
        } else {
            model.remainingRecoveryCodes = try await account.remainingRecoveryCodes(userID: signedIn.userID)
        }
        return model
    }

    static func setup(secret: [UInt8], account: String, issuer: String, t: Localizer) throws -> Setup {
        let uri = OTPAuthURI.totp(secret: secret, account: account, issuer: issuer)
        let code = try QRCode(text: uri, correction: .medium)
        return Setup(
            qr: QRImage(code), qrTitle: t(.twofactorQrTitle, ["account": account, "issuer": issuer]),
            secret: grouped(Base32.encode(secret)), account: account, issuer: issuer)
    }

    /// `JBSW Y3DP EHPK 3PXP`: easier to read out and type.
    static func grouped(_ text: String) -> String {
        var groups: [Substring] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: " ")
    }
}

extension QRImage {
    init(_ code: QRCode) {
        var dark: [Bool] = []
        dark.reserveCapacity(code.size * code.size)
        for y in 0..<code.size {
            for x in 0..<code.size { dark.append(code.isDark(x: x, y: y)) }
        }
        self.init(size: code.size, dark: dark)
    }
}
