import Crypto
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wraps data keys with AES-256-GCM under a 32-byte master key kept in a local file.
///
/// The file is made on first start (with its directory) and must stay private: a file readable or
/// writable by group or others, or of the wrong size, is refused rather than used or replaced.
public struct LocalKeyProvider: KeyProvider {
    public let name = "local"
    private let masterKey: SymmetricKey

    static let masterKeyByteCount = 32

    public init(masterKeyFile: URL) throws {
        let path = masterKeyFile.path
        if let existing = try Self.readMasterKey(at: path) {
            masterKey = existing
        } else {
            masterKey = try Self.createMasterKey(at: path)
        }
    }

    public func wrap(_ dataKey: SymmetricKey, context: Data) async throws -> Data {
        guard dataKey.bitCount == Envelope.keyBitCount else { throw KeyVaultError.invalidKeySize(bits: dataKey.bitCount) }
        return try Envelope.seal(dataKey.withUnsafeBytes { Data($0) }, with: masterKey, context: context)
    }

    public func unwrap(_ wrapped: Data, context: Data) async throws -> SymmetricKey {
        let bytes = try Envelope.open(wrapped, with: masterKey, context: context)
        guard bytes.count * 8 == Envelope.keyBitCount else { throw KeyVaultError.invalidKeySize(bits: bytes.count * 8) }
        return SymmetricKey(data: bytes)
    }

    // MARK: - The master key file

    /// The key in the file at `path`, or `nil` if there is no file.
    private static func readMasterKey(at path: String) throws -> SymmetricKey? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw KeyVaultError.unusableMasterKeyFile(path: path, problem: "cannot be inspected: \(describe(code))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw KeyVaultError.unusableMasterKeyFile(path: path, problem: "is not a regular file")
        }
        let permissions = info.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw KeyVaultError.unusableMasterKeyFile(
                path: path,
                problem: "is open to group or others (mode \(String(permissions, radix: 8))); allow only its owner: chmod 600"
            )
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw KeyVaultError.unusableMasterKeyFile(path: path, problem: "cannot be read: \(error.localizedDescription)")
        }
        guard bytes.count == masterKeyByteCount else {
            throw KeyVaultError.unusableMasterKeyFile(
                path: path, problem: "has \(bytes.count) bytes; a master key is exactly \(masterKeyByteCount) bytes"
            )
        }
        return SymmetricKey(data: bytes)
    }

    /// Writes a new random key to a private temporary file beside `path`, then links it into place:
    /// the key file never exists half-written or with looser permissions, and a file another process
    /// made in the meantime is kept (and used) rather than replaced.
    private static func createMasterKey(at path: String) throws -> SymmetricKey {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw KeyVaultError.masterKeyFileNotCreated(path: path, problem: "its directory: \(error.localizedDescription)")
        }

        let key = SymmetricKey(size: .bits256)
        let temporary = directory.appendingPathComponent(".master-key-\(UUID().uuidString).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw KeyVaultError.masterKeyFileNotCreated(path: path, problem: describe(errno))
        }
        defer { unlink(temporary) }
        let written = key.withUnsafeBytes { writeAll(descriptor, $0) }
        let synced = written && fchmod(descriptor, 0o600) == 0 && fsync(descriptor) == 0
        let failure = errno
        close(descriptor)
        guard synced else {
            throw KeyVaultError.masterKeyFileNotCreated(path: path, problem: describe(failure))
        }

        guard link(temporary, path) == 0 else {
            let code = errno
            if code == EEXIST, let theirs = try readMasterKey(at: path) { return theirs }
            throw KeyVaultError.masterKeyFileNotCreated(path: path, problem: describe(code))
        }
        syncDirectory(directory.path)
        return key
    }

    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += count
        }
        return true
    }

    /// Makes the new directory entry durable; best effort, as not every file system allows it.
    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
