import Foundation
import PythonPeers

extension PythonPeer {
    /// `script arguments...` plus, when there is `input`, a temporary JSON file holding it; decodes the
    /// script's JSON answer.
    static func run<Answer: Decodable>(
        _ script: String, _ arguments: [String], input: (some Encodable)? = String?.none, as: Answer.Type = Answer.self
    ) throws -> Answer {
        var allArguments = arguments
        var inputFile: URL?
        if let input {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("twofactor-peer-\(UUID().uuidString).json")
            try JSONEncoder().encode(input).write(to: file)
            inputFile = file
            allArguments.append(file.path)
        }
        defer { if let inputFile { try? FileManager.default.removeItem(at: inputFile) } }
        return try JSONDecoder().decode(Answer.self, from: run(script, allArguments))
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
