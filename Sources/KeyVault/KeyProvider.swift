import Crypto
import Foundation

/// Wraps and unwraps organizations' data keys with a key the provider keeps to itself
/// (a local master key file now; a cloud KMS later).
///
/// `context` is authenticated with the wrapped key (for example the organization's id), so a
/// wrapped key copied to another organization's row does not unwrap.
public protocol KeyProvider: Sendable {
    /// Stored next to each wrapped key, so a row can be traced to the provider that can open it.
    var name: String { get }
    func wrap(_ dataKey: SymmetricKey, context: Data) async throws -> Data
    func unwrap(_ wrapped: Data, context: Data) async throws -> SymmetricKey
}
