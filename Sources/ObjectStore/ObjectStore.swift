import Foundation

/// Where media bytes live: on local disk, or in any S3-compatible store.
public protocol ObjectStore: Sendable {
    /// Stores `data` under `key`, replacing what was there.
    func put(_ data: Data, key: String, contentType: String) async throws
    /// Throws `ObjectStoreError.notFound` if there is nothing under `key`.
    func get(_ key: String) async throws -> StoredObject
    /// Removes what is under `key`; a key with nothing under it is not an error.
    func delete(_ key: String) async throws
}

/// An object's bytes and the content type it was stored with.
public struct StoredObject: Sendable, Equatable {
    public var data: Data
    public var contentType: String

    public init(data: Data, contentType: String) {
        self.data = data
        self.contentType = contentType
    }
}
