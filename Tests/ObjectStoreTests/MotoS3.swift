import Foundation
import PythonPeers
import Testing

/// A moto S3 server that checks signatures, started by `system-tests/peers/moto_s3.py` from the repo's
/// `.venv-peers`, once around a suite marked `.motoS3`; the suite's tests read it from `MotoS3.current`.
struct MotoS3: Decodable, Sendable {
    let endpoint: String
    let accessKeyID: String
    let secretAccessKey: String
    let bucket: String
    let region: String

    enum CodingKeys: String, CodingKey {
        case endpoint, bucket, region
        case accessKeyID = "access_key_id"
        case secretAccessKey = "secret_access_key"
    }

    @TaskLocal static var current: MotoS3?
}

/// Starts moto before the suite's tests and stops it after them, whether they pass or fail.
struct MotoS3Trait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let peer = try await PeerProcess<MotoS3>.start("moto_s3.py")
        defer { peer.stop() }
        try await MotoS3.$current.withValue(peer.info) { try await function() }
    }
}

extension Trait where Self == MotoS3Trait {
    static var motoS3: Self { Self() }
}
