import Crypto
import Fluent
import Foundation
import KeyVault

/// Seals and opens the credentials of a person's account (the TOTP shared secret) at rest.
///
/// Which key: `CredentialVault` seals an organization's credentials under that organization's data
/// key, but a person is not inside one organization: they may belong to several, to none, and
/// leave any of them, so an organization's key would tie their sign-in to an organization that can
/// be deleted or left. A key per person would cost the key provider (a KMS call) once per person
/// and process. So accounts share one platform data key, `accounts`, wrapped by the same key
/// provider as the organizations' keys (rotating the master key re-wraps one more row), and every
/// sealed value is bound to its user and purpose in the AES-GCM associated data: a sealed secret
/// copied to another person's row, or into another column, does not open.
final class AccountVault: Sendable {
    enum Purpose: String, Sendable {
        case totpSecret = "two-factor.totp-secret"
    }

    static let keyName = "accounts"

    private let keys: DataKeyRing<PlatformKey>

    init(provider: @escaping @Sendable () throws -> any KeyProvider, now: @escaping @Sendable () -> Date) {
        self.keys = DataKeyRing(provider: provider, now: now, context: { Data("platform/\($0)".utf8) })
    }

    /// The vault with the app's key provider: the one `Dependencies` names, or the master key file in the data directory.
    static func make(_ configuration: AppConfiguration, _ dependencies: Dependencies) -> AccountVault {
        let masterKeyFile = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("master.key")
        return AccountVault(
            provider: { [keyProvider = dependencies.keyProvider] in try keyProvider ?? LocalKeyProvider(masterKeyFile: masterKeyFile) },
            now: dependencies.now)
    }

    func seal(_ value: [UInt8], for userID: UUID, purpose: Purpose, on database: any Database) async throws -> Data {
        try Envelope.seal(Data(value), with: try await keys.key(Self.keyName, on: database), context: Self.context(userID, purpose))
    }

    func open(_ sealed: Data, for userID: UUID, purpose: Purpose, on database: any Database) async throws -> [UInt8] {
        Array(try Envelope.open(sealed, with: try await keys.key(Self.keyName, on: database), context: Self.context(userID, purpose)))
    }

    private static func context(_ userID: UUID, _ purpose: Purpose) -> Data {
        Data("user/\(userID.uuidString.lowercased())/\(purpose.rawValue)".utf8)
    }
}

extension PlatformKey: WrappedDataKey {
    convenience init(id: String, provider: String, wrappedKey: Data, createdAt: Date) {
        self.init(name: id, provider: provider, wrappedKey: wrappedKey, createdAt: createdAt)
    }
}
