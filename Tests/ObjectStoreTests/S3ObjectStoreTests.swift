import AsyncHTTPClient
import Foundation
import ObjectStore
import Testing

/// Against a real S3 emulator (moto) that checks SigV4 signatures.
@Suite(.motoS3) struct S3ObjectStoreTests {
    func store(secretAccessKey: String? = nil, accessKeyID: String? = nil, bucket: String? = nil, maxObjectBytes: Int = 100 << 20) throws -> S3ObjectStore {
        let moto = try #require(MotoS3.current, "the moto server was not started")
        return S3ObjectStore(
            endpoint: try #require(URL(string: moto.endpoint)), bucket: bucket ?? moto.bucket, region: moto.region,
            accessKeyID: accessKeyID ?? moto.accessKeyID, secretAccessKey: secretAccessKey ?? moto.secretAccessKey,
            httpClient: .shared, maxObjectBytes: maxObjectBytes
        )
    }

    /// A key no other test uses.
    func freshKey(_ name: String) -> String { "tests/\(UUID().uuidString.lowercased())/\(name)" }

    @Test func binaryRoundTrip() async throws {
        let store = try store()
        let bytes = Data((0...255).map { UInt8($0) } + [0xFF, 0xFE, 0xC3, 0x28, 0x00, 0x0A, 0x0D])
        #expect(String(data: bytes, encoding: .utf8) == nil)
        let key = freshKey("photo.jpg")
        try await store.put(bytes, key: key, contentType: "image/jpeg")
        #expect(try await store.get(key) == StoredObject(data: bytes, contentType: "image/jpeg"))
    }

    @Test(arguments: ["application/pdf", "audio/ogg; codecs=opus", "video/mp4", "application/octet-stream"])
    func contentTypeIsKept(_ contentType: String) async throws {
        let store = try store()
        let key = freshKey("media")
        try await store.put(Data("media bytes".utf8), key: key, contentType: contentType)
        #expect(try await store.get(key).contentType == contentType)
    }

    @Test func missingKeyIsNotFound() async throws {
        let key = freshKey("never-stored.png")
        await #expect(throws: ObjectStoreError.notFound(key: key)) { try await store().get(key) }
    }

    @Test func deleteRemovesAndMissingKeyIsFine() async throws {
        let store = try store()
        let key = freshKey("doc.pdf")
        try await store.put(Data("%PDF".utf8), key: key, contentType: "application/pdf")
        try await store.delete(key)
        await #expect(throws: ObjectStoreError.notFound(key: key)) { try await store.get(key) }
        try await store.delete(key)
    }

    @Test func overwriteReplacesBytesAndContentType() async throws {
        let store = try store()
        let key = freshKey("k")
        try await store.put(Data("first".utf8), key: key, contentType: "text/plain")
        try await store.put(Data([1, 2, 3]), key: key, contentType: "application/octet-stream")
        #expect(try await store.get(key) == StoredObject(data: Data([1, 2, 3]), contentType: "application/octet-stream"))
    }

    /// Keys with spaces or non-ASCII letters are refused before anything is sent.
    @Test(arguments: ["photo 1.jpg", "foto-\u{E9}.jpg", "\u{1F4F7}.jpg", "../x", "/etc/passwd", "a/../../b", "a//b"])
    func refusesKeysOutsideTheSafeAlphabet(_ key: String) async throws {
        let store = try store()
        for operation in ["put", "get", "delete"] {
            do {
                switch operation {
                case "put": try await store.put(Data("x".utf8), key: key, contentType: "text/plain")
                case "get": _ = try await store.get(key)
                default: try await store.delete(key)
                }
                Issue.record("\(operation) accepted the key \"\(key)\"")
            } catch let error as ObjectStoreError {
                guard case .invalidKey(let refused, _) = error else { Issue.record("\(operation): \(error)"); continue }
                #expect(refused == key)
            }
        }
    }

    /// moto checks signatures: the right key id with the wrong secret is refused, with S3's code.
    @Test func wrongSecretIsRefused() async throws {
        let good = try store()
        let key = freshKey("secret.txt")
        try await good.put(Data("kept".utf8), key: key, contentType: "text/plain")

        let forged = try store(secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        for attempt in 0..<3 {
            do {
                switch attempt {
                case 0: try await forged.put(Data("replaced".utf8), key: key, contentType: "text/plain")
                case 1: _ = try await forged.get(key)
                default: try await forged.delete(key)
                }
                Issue.record("attempt \(attempt) with a wrong secret was accepted")
            } catch let error as ObjectStoreError {
                guard case .server(let status, let code, let message) = error else { Issue.record("\(error)"); continue }
                #expect(status == 403)
                #expect(code == "SignatureDoesNotMatch")
                #expect(!message.isEmpty)
                #expect(error.description.hasPrefix("object store refused the request (HTTP 403 SignatureDoesNotMatch): "))
            }
        }
        // Nothing the forged store tried took effect.
        #expect(try await good.get(key).data == Data("kept".utf8))
    }

    @Test func unknownAccessKeyIsRefused() async throws {
        let stranger = try store(accessKeyID: "AKIAIOSFODNN7EXAMPLE")
        await #expect(
            throws: ObjectStoreError.server(
                status: 403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records."
            )
        ) {
            try await stranger.get(freshKey("x"))
        }
    }

    @Test func fiveMegabyteObjectRoundTrips() async throws {
        let store = try store()
        // Random bytes from a randomly seeded SplitMix64, eight at a time: one `UInt8.random` per
        // byte from the system generator was a system call per byte (seconds of CPU).
        var state = UInt64.random(in: .min ... .max)
        var bytes = Data(count: 5 * 1024 * 1024)
        bytes.withUnsafeMutableBytes { buffer in
            for offset in stride(from: 0, to: buffer.count, by: 8) {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                buffer.storeBytes(of: z ^ (z >> 31), toByteOffset: offset, as: UInt64.self)
            }
        }
        let key = freshKey("video.mp4")
        try await store.put(bytes, key: key, contentType: "video/mp4")
        let object = try await store.get(key)
        #expect(object.data.count == bytes.count)
        #expect(object.data == bytes)
        #expect(object.contentType == "video/mp4")
    }

    @Test func objectsOverTheLimitAreNotRead() async throws {
        let key = freshKey("big.bin")
        try await store().put(Data(repeating: 7, count: 5000), key: key, contentType: "application/octet-stream")
        await #expect(throws: ObjectStoreError.tooLarge(key: key, limit: 1000)) {
            try await store(maxObjectBytes: 1000).get(key)
        }
    }

    @Test func missingBucketIsAServerErrorNotNotFound() async throws {
        await #expect(throws: ObjectStoreError.self) { try await store(bucket: "no-such-bucket").get("a") }
        do {
            _ = try await store(bucket: "no-such-bucket").get("a")
        } catch let error as ObjectStoreError {
            guard case .server(404, "NoSuchBucket", _) = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func badSettingsGiveAClearError() async throws {
        await #expect(
            throws: ObjectStoreError.invalidConfiguration(
                "bucket name \"Media_Bucket\" is not valid: 3-63 characters of a-z, 0-9, \".\" and \"-\", starting and ending with a letter or digit"
            )
        ) {
            try await store(bucket: "Media_Bucket").get("a")
        }
        let ftp = S3ObjectStore(
            endpoint: URL(string: "ftp://127.0.0.1/")!, bucket: "media", region: "us-east-1",
            accessKeyID: "id", secretAccessKey: "secret", httpClient: .shared
        )
        await #expect(throws: ObjectStoreError.invalidConfiguration("endpoint \"ftp://127.0.0.1/\" is not an http(s) URL with a host")) {
            try await ftp.get("a")
        }
    }
}
