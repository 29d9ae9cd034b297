import Foundation

/// Runs one of the repository's Python peer scripts (system-tests/peers) with the `.venv-peers`
/// interpreter that `scripts/test` sets up from requirements-peers.txt, and decodes its JSON answer.
enum PythonPeer {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `script arguments...`, plus a temporary JSON file holding `input` when there is one.
    static func run<Answer: Decodable>(
        _ script: String, _ arguments: [String], input: (some Encodable)? = String?.none, as: Answer.Type = Answer.self
    ) throws -> Answer {
        let root = repositoryRoot
        let python = root.appendingPathComponent(".venv-peers/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw Failure(
                description: "\(python.path) is missing: run scripts/test, whose setup phase installs requirements-peers.txt into .venv-peers")
        }
        var allArguments = [root.appendingPathComponent("system-tests/peers/\(script)").path] + arguments
        var inputFile: URL?
        if let input {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("twofactor-peer-\(UUID().uuidString).json")
            try JSONEncoder().encode(input).write(to: file)
            inputFile = file
            allArguments.append(file.path)
        }
        defer { if let inputFile { try? FileManager.default.removeItem(at: inputFile) } }

        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("twofactor-peer-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errors = try FileHandle(forWritingTo: errorFile)
        defer { try? errors.close() }

        let process = Process()
        process.executableURL = python
        process.arguments = allArguments
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()  // to the end before waiting: a full pipe would stall the script
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw Failure(description: "\(script) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(message)")
        }
        return try JSONDecoder().decode(Answer.self, from: data)
    }
}

/// A seeded generator (SplitMix64), so the random cases are the same on every run.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &self) }
    }
}
