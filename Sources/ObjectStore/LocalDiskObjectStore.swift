import Foundation
import NIOPosix
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Objects as files under a root directory: `objects/<key>` holds one line with the content type,
/// then the bytes, so the two always change together.
///
/// A put writes and syncs a file in `tmp/`, then renames it over the object: readers see the old
/// object or the new one, never part of one. Keys are checked by `ObjectKey`, so no key reaches
/// outside `objects/`. One key cannot also be a "directory" of others (`a` and `a/b`): storing
/// the second fails with a storage error.
///
/// The file work blocks, so it runs on NIO's thread pool, never on a thread that serves requests.
public struct LocalDiskObjectStore: ObjectStore {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    var objectsDirectory: URL { root.appendingPathComponent("objects", isDirectory: true) }
    var temporaryDirectory: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    func fileURL(_ key: ObjectKey) -> URL {
        key.segments.reduce(objectsDirectory) { $0.appendingPathComponent($1) }
    }

    public func put(_ data: Data, key: String, contentType: String) async throws {
        try await NIOThreadPool.singleton.runIfActive { try putNow(data, key: key, contentType: contentType) }
    }

    public func get(_ key: String) async throws -> StoredObject {
        try await NIOThreadPool.singleton.runIfActive { try getNow(key) }
    }

    public func delete(_ key: String) async throws {
        try await NIOThreadPool.singleton.runIfActive { try deleteNow(key) }
    }

    private func putNow(_ data: Data, key: String, contentType: String) throws {
        let key = try ObjectKey(key)
        try ContentType.check(contentType)
        let target = fileURL(key)
        let temporary = temporaryDirectory.appendingPathComponent(UUID().uuidString)
        do {
            try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError.storage("cannot make the directory for \"\(key)\": \(error.localizedDescription)")
        }
        defer { unlink(temporary.path) }
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw ObjectStoreError.storage("cannot create a temporary file in \(temporaryDirectory.path)")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: Data("\(contentType)\n".utf8))
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch let error as ObjectStoreError {
            throw error
        } catch {
            throw ObjectStoreError.storage("cannot write \"\(key)\": \(error.localizedDescription)")
        }
        guard rename(temporary.path, target.path) == 0 else {
            throw ObjectStoreError.storage("cannot store \"\(key)\": \(String(cString: strerror(errno)))")
        }
    }

    private func getNow(_ key: String) throws -> StoredObject {
        let key = try ObjectKey(key)
        let file = fileURL(key)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ObjectStoreError.notFound(key: key.value)
        }
        let contents: Data
        do {
            contents = try Data(contentsOf: file)
        } catch {
            // Deleted between the check and the read.
            if !FileManager.default.fileExists(atPath: file.path) { throw ObjectStoreError.notFound(key: key.value) }
            throw ObjectStoreError.storage("cannot read \"\(key)\": \(error.localizedDescription)")
        }
        guard let newline = contents.firstIndex(of: UInt8(ascii: "\n")) else {
            throw ObjectStoreError.storage("\(file.path) is not an object file (no content type line)")
        }
        return StoredObject(
            data: Data(contents[(newline + 1)...]),
            contentType: String(decoding: contents[..<newline], as: UTF8.self)
        )
    }

    private func deleteNow(_ key: String) throws {
        let key = try ObjectKey(key)
        // unlink, not removeItem: a key that is only a "directory" of other objects removes nothing.
        guard unlink(fileURL(key).path) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR || code == EISDIR { return }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: fileURL(key).path, isDirectory: &isDirectory), isDirectory.boolValue { return }
            throw ObjectStoreError.storage("cannot delete \"\(key)\": \(String(cString: strerror(code)))")
        }
    }
}
