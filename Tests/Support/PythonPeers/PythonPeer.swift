import Foundation

/// The one way tests run the repository's Python peers (`system-tests/peers`): with the `.venv-peers`
/// interpreter that `scripts/test` sets up from requirements-peers.txt, from the repository root.
public enum PythonPeer {
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath)  // Tests/Support/PythonPeers/PythonPeer.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    public static var interpreter: URL { repositoryRoot.appendingPathComponent(".venv-peers/bin/python") }

    public static func script(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("system-tests/peers/\(name)").path
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    static func process(_ script: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: interpreter.path) else {
            throw Failure(
                description: "\(interpreter.path) is missing: run scripts/test, whose setup phase installs requirements-peers.txt into .venv-peers")
        }
        let process = Process()
        process.executableURL = interpreter
        process.arguments = [Self.script(script)] + arguments
        process.currentDirectoryURL = repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return process
    }

    /// Runs `script arguments...` to its end with `input` on stdin and returns its stdout; throws with its
    /// stderr when it exits with a failure. Blocks the calling thread while the script runs.
    public static func run(
        _ script: String, _ arguments: [String] = [], input: Data = Data(), environment: [String: String] = [:]
    ) throws -> Data {
        let process = try process(script, arguments, environment: environment)
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // stdin and stderr on threads of their own, stdout here: a full pipe would stall the script.
        let others = DispatchGroup()
        nonisolated(unsafe) var errors = Data()
        DispatchQueue.global().async(group: others) {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        DispatchQueue.global().async(group: others) { errors = stderr.fileHandleForReading.readDataToEndOfFile() }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        others.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description:
                    "\(script) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        return output
    }
}

extension PythonPeer {
    /// `run` on a thread of its own: an async test that waited for the script on its own thread would
    /// hold one of the few threads every other test's tasks (and in-process servers) run on.
    public static func output(
        _ script: String, _ arguments: [String] = [], input: Data = Data(), environment: [String: String] = [:]
    ) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(script, arguments, input: input, environment: environment) })
            }
        }
    }
}

/// A long-running Python peer that prints one JSON line (`Info`) when it is ready and serves until its
/// stdin closes: when the test process dies, the pipe closes and the peer stops by itself.
public final class PeerProcess<Info: Decodable & Sendable>: @unchecked Sendable {
    let process: Process
    let input: Pipe
    public let info: Info

    private init(process: Process, input: Pipe, info: Info) {
        self.process = process
        self.input = input
        self.info = info
    }

    public static func start(_ script: String) async throws -> PeerProcess {
        let process = try PythonPeer.process(script, [])
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
        guard let line, let info = try? JSONDecoder().decode(Info.self, from: line) else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw PythonPeer.Failure(
                description: """
                    system-tests/peers/\(script) did not report its servers (exit status \(process.terminationStatus); \
                    its errors are above). If a package is missing: run scripts/test, whose setup phase installs \
                    requirements-peers.txt into .venv-peers
                    """)
        }
        return PeerProcess(process: process, input: input, info: info)
    }

    public func stop() {
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
