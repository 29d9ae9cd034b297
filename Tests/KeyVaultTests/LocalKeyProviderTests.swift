import Crypto
import Foundation
import KeyVault
import Testing

@Suite struct LocalKeyProviderTests {
    let context = Data("organization/6f1c2a4e-0b7d-4a39-9c55-3d2f8e1b7a10".utf8)

    func permissions(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test func createsAPrivateKeyFileAndReusesItOnTheNextStart() async throws {
        let directory = TemporaryDirectory()
        let file = directory.url.appendingPathComponent("keys/master.key")

        let first = try LocalKeyProvider(masterKeyFile: file)
        #expect(first.name == "local")
        #expect(try permissions(file) == 0o600)
        let bytes = try Data(contentsOf: file)
        #expect(bytes.count == 32)
        // Only the key file is left in the directory: no temporary file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == ["master.key"])

        let dataKey = Envelope.newDataKey()
        let wrapped = try await first.wrap(dataKey, context: context)
        #expect(wrapped.range(of: dataKey.withUnsafeBytes { Data($0) }) == nil)

        // A second start reads the same file and opens what the first wrapped.
        let second = try LocalKeyProvider(masterKeyFile: file)
        #expect(try Data(contentsOf: file) == bytes)
        let unwrapped = try await second.unwrap(wrapped, context: context)
        #expect(unwrapped == dataKey)
    }

    @Test func anotherMasterKeyCannotUnwrap() async throws {
        let directory = TemporaryDirectory()
        let one = try LocalKeyProvider(masterKeyFile: directory.url.appendingPathComponent("one.key"))
        let other = try LocalKeyProvider(masterKeyFile: directory.url.appendingPathComponent("other.key"))
        let wrapped = try await one.wrap(Envelope.newDataKey(), context: context)
        await #expect(throws: KeyVaultError.authenticationFailed) { try await other.unwrap(wrapped, context: context) }
    }

    @Test(arguments: [0o640, 0o604, 0o660, 0o644])
    func refusesAFileOpenToGroupOrOthers(_ mode: Int) throws {
        let directory = TemporaryDirectory()
        let file = directory.url.appendingPathComponent("master.key")
        _ = try LocalKeyProvider(masterKeyFile: file)
        let original = try Data(contentsOf: file)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)

        let error = try #require(throws: KeyVaultError.self) { try LocalKeyProvider(masterKeyFile: file) }
        guard case .unusableMasterKeyFile(let path, let problem) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(path == file.path)
        #expect(problem.contains("open to group or others (mode \(String(mode, radix: 8)))"))
        // The file is left as it was: refusing never replaces a key.
        #expect(try Data(contentsOf: file) == original)
    }

    @Test(arguments: [0, 16, 31, 33, 64])
    func refusesAFileOfTheWrongSize(_ size: Int) throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let file = directory.url.appendingPathComponent("master.key")
        #expect(
            FileManager.default.createFile(
                atPath: file.path, contents: Data(repeating: 7, count: size), attributes: [.posixPermissions: 0o600]
            ))

        #expect(
            throws: KeyVaultError.unusableMasterKeyFile(
                path: file.path, problem: "has \(size) bytes; a master key is exactly 32 bytes"
            )
        ) {
            try LocalKeyProvider(masterKeyFile: file)
        }
    }

    @Test func refusesADirectoryInPlaceOfTheFile() throws {
        let directory = TemporaryDirectory()
        let file = directory.url.appendingPathComponent("master.key")
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: true)
        #expect(throws: KeyVaultError.unusableMasterKeyFile(path: file.path, problem: "is not a regular file")) {
            try LocalKeyProvider(masterKeyFile: file)
        }
    }

    @Test func refusesToWrapAShortKey() async throws {
        let provider = try LocalKeyProvider(masterKeyFile: TemporaryDirectory().url.appendingPathComponent("master.key"))
        await #expect(throws: KeyVaultError.invalidKeySize(bits: 128)) {
            try await provider.wrap(SymmetricKey(size: .bits128), context: context)
        }
    }

    @Test func startsAtOnceAgreeOnOneKey() async throws {
        let directory = TemporaryDirectory()
        let file = directory.url.appendingPathComponent("master.key")
        let providers = try await withThrowingTaskGroup(of: LocalKeyProvider.self) { group in
            for _ in 0..<8 { group.addTask { try LocalKeyProvider(masterKeyFile: file) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let wrapped = try await providers[0].wrap(Envelope.newDataKey(), context: context)
        for provider in providers {
            _ = try await provider.unwrap(wrapped, context: context)
        }
    }
}
