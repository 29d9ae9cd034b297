import Crypto
import Fluent
import Foundation
import KeyVault

/// Seals and opens an organization's credentials (access tokens, app secrets, verify tokens).
///
/// Each organization has its own random data key, stored wrapped by the key provider in
/// `organization_keys`; values are sealed with AES-GCM under that key, bound to the organization
/// and to what the value is (`purpose`), so a sealed token cannot be moved to another organization
/// or column. Unwrapped keys are kept in memory for the life of the process.
final class CredentialVault: Sendable {
    enum Purpose: String, Sendable {
        case whatsAppAccessToken = "whatsapp.access_token"
        case whatsAppAppSecret = "whatsapp.app_secret"
        case whatsAppVerifyToken = "whatsapp.verify_token"
        /// An organization's own key for the AI provider.
        case aiProviderKey = "ai.provider_key"
    }

    private let keys: DataKeyRing<OrganizationKey>

    /// The provider is made on first use (see `DataKeyRing`).
    init(provider: @escaping @Sendable () throws -> any KeyProvider, now: @escaping @Sendable () -> Date) {
        self.keys = DataKeyRing(provider: provider, now: now, context: Self.keyContext)
    }

    func seal(_ value: String, for organizationID: UUID, purpose: Purpose, on database: any Database) async throws -> Data {
        let key = try await keys.key(organizationID, on: database)
        return try Envelope.seal(Data(value.utf8), with: key, context: Self.context(organizationID, purpose))
    }

    func open(_ sealed: Data, for organizationID: UUID, purpose: Purpose, on database: any Database) async throws -> String {
        let key = try await keys.key(organizationID, on: database)
        let plaintext = try Envelope.open(sealed, with: key, context: Self.context(organizationID, purpose))
        return String(decoding: plaintext, as: UTF8.self)
    }

    private static func context(_ organizationID: UUID, _ purpose: Purpose) -> Data {
        Data("\(organizationID.uuidString.lowercased())/\(purpose.rawValue)".utf8)
    }

    private static func keyContext(_ organizationID: UUID) -> Data {
        Data("organization/\(organizationID.uuidString.lowercased())".utf8)
    }
}

extension OrganizationKey: WrappedDataKey {
    convenience init(id: UUID, provider: String, wrappedKey: Data, createdAt: Date) {
        self.init(organizationID: id, provider: provider, wrappedKey: wrappedKey, createdAt: createdAt)
    }
}
