import Crypto
import Fluent
import Foundation
import KeyVault
import Synchronization

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
    }

    private let makeProvider: @Sendable () throws -> any KeyProvider
    private let madeProvider = Mutex<(any KeyProvider)?>(nil)
    private let now: @Sendable () -> Date
    private let unwrapped = Mutex<[UUID: SymmetricKey]>([:])

    /// The provider is made on first use, so commands that never touch a credential (`--help`,
    /// `migrate`, `routes`) neither read nor create the master key.
    init(provider: @escaping @Sendable () throws -> any KeyProvider, now: @escaping @Sendable () -> Date) {
        self.makeProvider = provider
        self.now = now
    }

    private func provider() throws -> any KeyProvider {
        try madeProvider.withLock { made in
            if let made { return made }
            let provider = try makeProvider()
            made = provider
            return provider
        }
    }

    func seal(_ value: String, for organizationID: UUID, purpose: Purpose, on database: any Database) async throws -> Data {
        let key = try await dataKey(for: organizationID, on: database)
        return try Envelope.seal(Data(value.utf8), with: key, context: Self.context(organizationID, purpose))
    }

    func open(_ sealed: Data, for organizationID: UUID, purpose: Purpose, on database: any Database) async throws -> String {
        let key = try await dataKey(for: organizationID, on: database)
        let plaintext = try Envelope.open(sealed, with: key, context: Self.context(organizationID, purpose))
        return String(decoding: plaintext, as: UTF8.self)
    }

    private static func context(_ organizationID: UUID, _ purpose: Purpose) -> Data {
        Data("\(organizationID.uuidString.lowercased())/\(purpose.rawValue)".utf8)
    }

    private static func keyContext(_ organizationID: UUID) -> Data {
        Data("organization/\(organizationID.uuidString.lowercased())".utf8)
    }

    /// The organization's data key, made and stored on first use.
    private func dataKey(for organizationID: UUID, on database: any Database) async throws -> SymmetricKey {
        if let key = unwrapped.withLock({ $0[organizationID] }) { return key }
        let key: SymmetricKey
        if let row = try await OrganizationKey.find(organizationID, on: database) {
            key = try await provider().unwrap(row.wrappedKey, context: Self.keyContext(organizationID))
        } else {
            let fresh = Envelope.newDataKey()
            let keyProvider = try provider()
            let wrapped = try await keyProvider.wrap(fresh, context: Self.keyContext(organizationID))
            let row = OrganizationKey(organizationID: organizationID, provider: keyProvider.name, wrappedKey: wrapped, createdAt: now())
            do {
                try await row.create(on: database)
                key = fresh
            } catch  where (error as? any DatabaseError)?.isConstraintFailure == true {
                // Another request made the key first: use theirs.
                guard let stored = try await OrganizationKey.find(organizationID, on: database) else { throw error }
                key = try await provider().unwrap(stored.wrappedKey, context: Self.keyContext(organizationID))
            }
        }
        unwrapped.withLock { $0[organizationID] = key }
        return key
    }
}
