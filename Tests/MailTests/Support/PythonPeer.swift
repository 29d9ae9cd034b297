import Foundation
import Testing

/// Python scripts from `system-tests/peers`, run with the repo's `.venv-peers`.
enum Python {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var interpreter: URL { repositoryRoot.appendingPathComponent(".venv-peers/bin/python") }

    static func script(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("system-tests/peers/\(name)").path
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func requireInterpreter() throws {
        guard FileManager.default.isExecutableFile(atPath: interpreter.path) else {
            throw Failure(
                description: "\(interpreter.path) is missing: run scripts/test (its setup installs requirements-peers.txt)")
        }
    }

    /// Runs a script to its end with `input` on stdin and returns its stdout; throws when it fails.
    static func run(_ script: String, arguments: [String] = [], input: Data = Data(), environment: [String: String] = [:])
        async throws -> Data
    {
        try requireInterpreter()
        let process = Process()
        process.executableURL = interpreter
        process.arguments = [Self.script(script)] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        async let output = readAll(stdout.fileHandleForReading)
        async let errors = readAll(stderr.fileHandleForReading)
        try stdin.fileHandleForWriting.write(contentsOf: input)
        try stdin.fileHandleForWriting.close()
        let (out, err) = await (output, errors)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "\(script) exited with \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))")
        }
        return out
    }

    static func readAll(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }
}

/// A long-running Python peer that prints one JSON line when ready and serves until its stdin closes.
final class PeerProcess<Info: Decodable & Sendable>: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let info: Info

    private init(process: Process, input: Pipe, info: Info) {
        self.process = process
        self.input = input
        self.info = info
    }

    static func start(_ script: String) async throws -> PeerProcess {
        try Python.requireInterpreter()
        let process = Process()
        process.executableURL = Python.interpreter
        process.arguments = [Python.script(script)]
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
            throw Python.Failure(
                description: "system-tests/peers/\(script) did not report its servers (exit status \(process.terminationStatus); its errors are above)")
        }
        return PeerProcess(process: process, input: input, info: info)
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

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

/// What `smtp_peer.py --parse` (Python's email package, policy.default) reads in a message.
struct ParsedMessage: Decodable, Sendable {
    struct Address: Decodable, Sendable, Equatable {
        var name: String
        var email: String
    }
    struct Part: Decodable, Sendable {
        var content_type: String
        var charset: String?
        var transfer_encoding: String?
        var content: String
    }
    var subject: String?
    var from: [Address]
    var to: [Address]
    var reply_to: [Address]
    var date: String?
    var message_id: String?
    var content_type: String
    var headers: [[String]]
    var parts: [Part]
    var defects: [String]
    /// Lines longer than 78 characters (RFC 5322's SHOULD; 998 is the MUST).
    var long_lines: [String]
    var bare_newlines: Int

    func header(_ name: String) -> String? {
        headers.first { $0.first?.lowercased() == name.lowercased() }?.last
    }

    /// A part's text with CRLF line ends read back as LF.
    func content(_ type: String) -> String? {
        parts.first { $0.content_type == type }?.content.replacingOccurrences(of: "\r\n", with: "\n")
    }

    static func parse(_ raw: String) async throws -> ParsedMessage {
        let output = try await Python.run("smtp_peer.py", arguments: ["--parse"], input: Data(raw.utf8))
        return try JSONDecoder().decode(ParsedMessage.self, from: output)
    }
}
