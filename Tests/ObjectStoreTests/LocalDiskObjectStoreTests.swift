import Foundation
import ObjectStore
import Testing

@Suite struct LocalDiskObjectStoreTests {
    let directory = TemporaryDirectory()
    var store: LocalDiskObjectStore { LocalDiskObjectStore(root: directory.url) }

    /// Every byte value, and sequences that are not UTF-8.
    static let binary = Data((0...255).map { UInt8($0) } + [0xFF, 0xFE, 0xC3, 0x28, 0x00, 0x0A, 0x0D])

    @Test func roundTrip() async throws {
        try await store.put(Self.binary, key: "org-1/media/photo.jpg", contentType: "image/jpeg")
        let object = try await store.get("org-1/media/photo.jpg")
        #expect(object == StoredObject(data: Self.binary, contentType: "image/jpeg"))
        #expect(object.data.startIndex == 0)
    }

    @Test func contentTypeWithParametersIsKept() async throws {
        try await store.put(Data("voice".utf8), key: "voice.ogg", contentType: "audio/ogg; codecs=opus")
        #expect(try await store.get("voice.ogg").contentType == "audio/ogg; codecs=opus")
    }

    @Test func emptyObjectRoundTrips() async throws {
        try await store.put(Data(), key: "empty", contentType: "text/plain")
        #expect(try await store.get("empty") == StoredObject(data: Data(), contentType: "text/plain"))
    }

    @Test func missingKeyIsNotFound() async throws {
        await #expect(throws: ObjectStoreError.notFound(key: "nothing/here.png")) { try await store.get("nothing/here.png") }
        try await store.put(Data("x".utf8), key: "a/b", contentType: "text/plain")
        // "a" is only a directory of other objects, not an object.
        await #expect(throws: ObjectStoreError.notFound(key: "a")) { try await store.get("a") }
    }

    @Test func deleteRemovesAndMissingKeyIsFine() async throws {
        try await store.put(Data("x".utf8), key: "doc.pdf", contentType: "application/pdf")
        try await store.delete("doc.pdf")
        await #expect(throws: ObjectStoreError.notFound(key: "doc.pdf")) { try await store.get("doc.pdf") }
        try await store.delete("doc.pdf")
        try await store.delete("never/stored")
    }

    @Test func deletingADirectoryKeyLeavesTheObjectsUnderIt() async throws {
        try await store.put(Data("x".utf8), key: "a/b", contentType: "text/plain")
        try await store.delete("a")
        #expect(try await store.get("a/b").data == Data("x".utf8))
    }

    @Test(arguments: ["../x", "/etc/passwd", "a/../../b", "..", "a/./b", "a//b", "photo 1.jpg", "foto-\u{E9}.jpg"])
    func refusesBadKeys(_ key: String) async throws {
        let store = store
        await #expect(throws: ObjectStoreError.self) { try await store.put(Data("x".utf8), key: key, contentType: "text/plain") }
        await #expect(throws: ObjectStoreError.self) { try await store.get(key) }
        await #expect(throws: ObjectStoreError.self) { try await store.delete(key) }
        do {
            try await store.put(Data("x".utf8), key: key, contentType: "text/plain")
        } catch let error as ObjectStoreError {
            guard case .invalidKey(let refused, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(refused == key)
        }
        // Nothing was written anywhere.
        #expect(!FileManager.default.fileExists(atPath: directory.url.path))
    }

    @Test(arguments: ["", "text/plain\nx-evil: 1", String(repeating: "a", count: 256), "image/j\u{E9}g"])
    func refusesBadContentTypes(_ contentType: String) async {
        await #expect(throws: ObjectStoreError.invalidContentType(contentType)) {
            try await store.put(Data("x".utf8), key: "a", contentType: contentType)
        }
    }

    @Test func aKeyCannotAlsoBeADirectory() async throws {
        try await store.put(Data("x".utf8), key: "a", contentType: "text/plain")
        await #expect(throws: ObjectStoreError.self) { try await store.put(Data("y".utf8), key: "a/b", contentType: "text/plain") }
        #expect(try await store.get("a").data == Data("x".utf8))
    }

    /// Readers racing with overwrites see the old object or the new one, whole, never a mix.
    @Test func overwriteIsAtomic() async throws {
        let store = store
        let old = StoredObject(data: Data(repeating: 0xAA, count: 512 * 1024), contentType: "image/png")
        let new = StoredObject(data: Data(repeating: 0xBB, count: 512 * 1024 + 7), contentType: "video/mp4")
        try await store.put(old.data, key: "race/object", contentType: old.contentType)

        let seen = try await withThrowingTaskGroup(of: [StoredObject].self) { group in
            group.addTask {
                for round in 0..<30 {
                    let next = round.isMultiple(of: 2) ? new : old
                    try await store.put(next.data, key: "race/object", contentType: next.contentType)
                }
                return []
            }
            for _ in 0..<2 {
                group.addTask {
                    var results: [StoredObject] = []
                    for _ in 0..<60 { results.append(try await store.get("race/object")) }
                    return results
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(seen.count == 120)
        #expect(seen.allSatisfy { $0 == old || $0 == new })
        #expect(try await store.get("race/object") == old)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("tmp").path).isEmpty)
    }

    @Test func overwriteReplacesBytesAndContentType() async throws {
        try await store.put(Data("first".utf8), key: "k", contentType: "text/plain")
        try await store.put(Self.binary, key: "k", contentType: "application/octet-stream")
        #expect(try await store.get("k") == StoredObject(data: Self.binary, contentType: "application/octet-stream"))
    }
}

/// A fresh directory under the system's temporary directory, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("objectstore-tests-\(UUID().uuidString)")
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
