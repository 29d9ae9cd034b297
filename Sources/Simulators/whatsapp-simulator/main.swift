import Dispatch
import Foundation
import WhatsAppSimulator

// `whatsapp-simulator [--port N] [--webhook-url URL] [--app-secret S] [--phone-number-id ID] [--waba-id ID]
//  [--token T] [--display-number "+31 6 …"] [--verified-name NAME] [--demo-customers PER_MINUTE]`
// Serves a loopback Graph API, prints its base URL on stdout, stops on SIGINT or SIGTERM.

let usage = """
    usage: whatsapp-simulator [--port N] [--host 127.0.0.1] [--webhook-url URL] [--app-secret SECRET]
                              [--phone-number-id ID] [--waba-id ID] [--token TOKEN] [--display-number NUMBER]
                              [--verified-name NAME] [--demo-customers MESSAGES_PER_MINUTE]
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("whatsapp-simulator: \(message)\n\(usage)\n".utf8))
    exit(2)
}

var options: [String: String] = [:]
let known: Set<String> = [
    "--port", "--host", "--webhook-url", "--app-secret", "--phone-number-id", "--waba-id", "--token", "--display-number",
    "--verified-name", "--demo-customers",
]
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    if argument == "--help" || argument == "-h" {
        print(usage)
        exit(0)
    }
    guard known.contains(argument) else { fail("unknown option \(argument)") }
    guard let value = arguments.next() else { fail("\(argument) needs a value") }
    options[argument] = value
}

guard let port = Int(options["--port"] ?? "0"), (0...65535).contains(port) else { fail("--port must be a number from 0 to 65535") }
var webhookURL: URL?
if let text = options["--webhook-url"] {
    guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
        fail("--webhook-url must be an http(s) URL")
    }
    webhookURL = url
}
var demoRate: Double?
if let text = options["--demo-customers"] {
    guard let rate = Double(text), rate > 0 else { fail("--demo-customers must be a positive number of messages per minute") }
    demoRate = rate
}

let number = SimulatedNumber(
    phoneNumberID: options["--phone-number-id"] ?? "100000000000001",
    wabaID: options["--waba-id"] ?? "200000000000001",
    displayPhoneNumber: options["--display-number"] ?? "+31 20 123 4567",
    verifiedName: options["--verified-name"] ?? "ADSapp Demo",
    accessToken: options["--token"] ?? "simulator-token")
let simulator = GraphSimulator(
    SimulatorConfiguration(
        numbers: [number], appSecret: options["--app-secret"] ?? "simulator-app-secret", webhookURL: webhookURL))

let baseURL: URL
do {
    baseURL = try await simulator.start(host: options["--host"] ?? "127.0.0.1", port: port)
} catch {
    fail("could not start: \(error)")
}
FileHandle.standardOutput.write(Data((baseURL.absoluteString + "\n").utf8))

let demo = demoRate.map { DemoCustomers(simulator: simulator, messagesPerMinute: $0) }
demo?.start()

// Wait for SIGINT or SIGTERM.
let signalQueue = DispatchQueue(label: "whatsapp-simulator.signals")
let (stopSignal, stopContinuation) = AsyncStream<Int32>.makeStream()
let signalSources = [SIGINT, SIGTERM].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
    source.setEventHandler { @Sendable in stopContinuation.yield(number) }
    source.resume()
    return source
}
for await _ in stopSignal { break }
signalSources.forEach { $0.cancel() }

demo?.stop()
do {
    try await simulator.shutdown()
} catch {
    FileHandle.standardError.write(Data("whatsapp-simulator: shutdown: \(error)\n".utf8))
    exit(1)
}
