import Foundation
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

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    struct StartError: Error, CustomStringConvertible {
        let description: String
    }
}

/// Starts moto before the suite's tests and stops it after them, whether they pass or fail.
struct MotoS3Trait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let peer = try await MotoProcess.start()
        defer { peer.stop() }
        try await MotoS3.$current.withValue(peer.server) { try await function() }
    }
}

extension Trait where Self == MotoS3Trait {
    static var motoS3: Self { Self() }
}

/// The Python process. Its stdin stays open while it runs: when the test process dies, the pipe
/// closes and the server stops by itself.
final class MotoProcess: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let server: MotoS3

    private init(process: Process, input: Pipe, server: MotoS3) {
        self.process = process
        self.input = input
        self.server = server
    }

    static func start() async throws -> MotoProcess {
        let root = MotoS3.repositoryRoot
        let python = root.appendingPathComponent(".venv-peers/bin/python")
        let setupHint = "run scripts/test: its setup phase installs requirements-peers.txt into .venv-peers"
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw MotoS3.StartError(description: "The S3 tests need moto, but \(python.path) is missing: \(setupHint)")
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [root.appendingPathComponent("system-tests/peers/moto_s3.py").path]
        process.currentDirectoryURL = root
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()

        // Stop waiting for the first line after a minute: killing the process ends the read.
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: deadline)
        let line = await firstLine(of: output.fileHandleForReading)
        deadline.cancel()

        guard let line, let server = try? JSONDecoder().decode(MotoS3.self, from: line) else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw MotoS3.StartError(
                description: """
                    system-tests/peers/moto_s3.py did not report a server (exit status \(process.terminationStatus); \
                    its errors are above). If moto is not installed: \(setupHint)
                    """)
        }
        return MotoProcess(process: process, input: input, server: server)
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Reads up to the first newline on a thread of its own (the read blocks).
    private static func firstLine(of handle: FileHandle) async -> Data? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { return continuation.resume(returning: nil) }
                    buffer.append(chunk)
                    if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        return continuation.resume(returning: Data(buffer[..<newline]))
                    }
                }
            }
        }
    }
}
