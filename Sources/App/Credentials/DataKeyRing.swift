import Crypto
import Fluent
import Foundation
import KeyVault
import Synchronization

/// A table of data keys stored wrapped by the key provider: `organization_keys`, `platform_keys`.
protocol WrappedDataKey: Model where IDValue: Sendable {
    var wrappedKey: Data { get }
    init(id: IDValue, provider: String, wrappedKey: Data, createdAt: Date)
}

/// Data keys made on first use, stored wrapped by the key provider, and kept unwrapped in memory for
/// the life of the process: what `CredentialVault` (a key per organization) and `AccountVault` (one
/// platform key for accounts) both need.
///
/// The provider is made on first use, so commands that never touch a key (`--help`, `migrate`,
/// `routes`) neither read nor create the master key.
final class DataKeyRing<Row: WrappedDataKey>: Sendable {
    private let makeProvider: @Sendable () throws -> any KeyProvider
    private let madeProvider = Mutex<(any KeyProvider)?>(nil)
    private let now: @Sendable () -> Date
    /// What a key is bound to when wrapped (the AES-GCM associated data).
    private let context: @Sendable (Row.IDValue) -> Data
    private let unwrapped = Mutex<[Row.IDValue: SymmetricKey]>([:])

    init(
        provider: @escaping @Sendable () throws -> any KeyProvider, now: @escaping @Sendable () -> Date,
        context: @escaping @Sendable (Row.IDValue) -> Data
    ) {
        self.makeProvider = provider
        self.now = now
        self.context = context
    }

    private func provider() throws -> any KeyProvider {
        try madeProvider.withLock { made in
            if let made { return made }
            let provider = try makeProvider()
            made = provider
            return provider
        }
    }

    /// The data key stored under `id`, made and stored on first use.
    func key(_ id: Row.IDValue, on database: any Database) async throws -> SymmetricKey {
        if let key = unwrapped.withLock({ $0[id] }) { return key }
        let key: SymmetricKey
        if let row = try await Row.find(id, on: database) {
            key = try await provider().unwrap(row.wrappedKey, context: context(id))
        } else {
            let fresh = Envelope.newDataKey()
            let keyProvider = try provider()
            let wrapped = try await keyProvider.wrap(fresh, context: context(id))
            do {
                try await Row(id: id, provider: keyProvider.name, wrappedKey: wrapped, createdAt: now()).create(on: database)
                key = fresh
            } catch  where (error as? any DatabaseError)?.isConstraintFailure == true {
                // Another request made the key first: use theirs.
                guard let stored = try await Row.find(id, on: database) else { throw error }
                key = try await keyProvider.unwrap(stored.wrappedKey, context: context(id))
            }
        }
        unwrapped.withLock { $0[id] = key }
        return key
    }
}
