import Foundation
import SimulatorSupport
import LLMSimulator

// `llm-simulator --api-key sk-or-... [--port N] [--host 127.0.0.1] [--answer TEXT]`
// Serves a loopback OpenAI-compatible chat completions API (OpenRouter's shapes, streamed over
// server-sent events), prints its base URL on stdout, stops on SIGINT or SIGTERM. `--answer`: what
// every model answers (by default each echoes the last user message).

let usage = "usage: llm-simulator --api-key sk-or-... [--port N] [--host 127.0.0.1] [--answer TEXT]"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("llm-simulator: \(message)\n\(usage)\n".utf8))
    exit(2)
}

var options: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    if argument == "--help" || argument == "-h" {
        print(usage)
        exit(0)
    }
    guard ["--port", "--host", "--api-key", "--answer"].contains(argument) else { fail("unknown option \(argument)") }
    guard let value = arguments.next() else { fail("\(argument) needs a value") }
    options[argument] = value
}
guard let apiKey = options["--api-key"], !apiKey.isEmpty else { fail("--api-key is required") }
guard let port = Int(options["--port"] ?? "0"), (0...65535).contains(port) else { fail("--port must be a number from 0 to 65535") }

let simulator = LLMSimulator(apiKey: apiKey, answer: options["--answer"])
let baseURL: URL
do {
    baseURL = try await simulator.start(host: options["--host"] ?? "127.0.0.1", port: port)
} catch {
    fail("could not start: \(error)")
}
FileHandle.standardOutput.write(Data((baseURL.absoluteString + "\n").utf8))

await waitForStopSignal(label: "llm-simulator")
do {
    try await simulator.shutdown()
} catch {
    FileHandle.standardError.write(Data("llm-simulator: shutdown: \(error)\n".utf8))
    exit(1)
}
