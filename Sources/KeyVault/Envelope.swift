import Crypto
import Foundation

/// AES-256-GCM sealing of values under an organization's data key.
///
/// Sealed format: one version byte, then the 12-byte nonce, the ciphertext and the 16-byte tag.
/// The version byte is authenticated together with `context`, so neither can be swapped.
public enum Envelope {
    static let version: UInt8 = 1
    static let nonceSize = 12
    static let tagSize = 16
    static let keyBitCount = 256

    /// A fresh random 256-bit data key.
    public static func newDataKey() -> SymmetricKey {
        SymmetricKey(size: .bits256)
    }

    public static func seal(_ plaintext: Data, with key: SymmetricKey, context: Data) throws -> Data {
        try requireDataKeySize(key)
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(plaintext, using: key, authenticating: authenticatedData(version, context))
        } catch {
            throw KeyVaultError.sealFailed(String(describing: error))
        }
        guard let combined = box.combined else { throw KeyVaultError.sealFailed("no combined representation") }
        var sealed = Data([version])
        sealed.append(combined)
        return sealed
    }

    public static func open(_ sealed: Data, with key: SymmetricKey, context: Data) throws -> Data {
        try requireDataKeySize(key)
        guard let found = sealed.first else { throw KeyVaultError.truncated(length: 0) }
        guard found == version else { throw KeyVaultError.unknownVersion(found) }
        guard sealed.count >= 1 + nonceSize + tagSize else { throw KeyVaultError.truncated(length: sealed.count) }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst())
            return try AES.GCM.open(box, using: key, authenticating: authenticatedData(found, context))
        } catch {
            throw KeyVaultError.authenticationFailed
        }
    }

    private static func authenticatedData(_ version: UInt8, _ context: Data) -> Data {
        var data = Data([version])
        data.append(context)
        return data
    }

    private static func requireDataKeySize(_ key: SymmetricKey) throws {
        guard key.bitCount == keyBitCount else { throw KeyVaultError.invalidKeySize(bits: key.bitCount) }
    }
}
