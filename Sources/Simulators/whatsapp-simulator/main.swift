import Foundation
import SimulatorSupport
import WhatsAppSimulator

// `whatsapp-simulator [--port N] [--webhook-url URL] [--app-secret S] [--phone-number-id ID] [--waba-id ID]
//  [--token T] [--display-number "+31 6 …"] [--verified-name NAME] [--demo-customers PER_MINUTE]
//  [--throughput PER_SECOND] [--messaging-limit-tier TIER] [--template NAME:LANGUAGE:CATEGORY:BODY]
//  [--webhook-retry-seconds S] [--sent-log FILE] [--webhook-log FILE]`
// Serves a loopback Graph API, prints its base URL on stdout, stops on SIGINT or SIGTERM.

let usage = """
    usage: whatsapp-simulator [--port N] [--host 127.0.0.1] [--webhook-url URL] [--app-secret SECRET]
                              [--phone-number-id ID] [--waba-id ID] [--token TOKEN] [--display-number NUMBER]
                              [--verified-name NAME] [--demo-customers MESSAGES_PER_MINUTE]
                              [--throughput MESSAGES_PER_SECOND] [--messaging-limit-tier TIER_1K]
                              [--template NAME:LANGUAGE:CATEGORY:BODY] [--webhook-retry-seconds SECONDS]
                              [--sent-log FILE] [--webhook-log FILE]
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("whatsapp-simulator: \(message)\n\(usage)\n".utf8))
    exit(2)
}

var options: [String: String] = [:]
let known: Set<String> = [
    "--port", "--host", "--webhook-url", "--app-secret", "--phone-number-id", "--waba-id", "--token", "--display-number",
    "--verified-name", "--demo-customers", "--throughput", "--messaging-limit-tier", "--template", "--webhook-retry-seconds", "--sent-log", "--webhook-log",
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
    accessToken: options["--token"] ?? "simulator-token",
    messagingLimitTier: options["--messaging-limit-tier"] ?? "TIER_1K")
guard let throughput = Int(options["--throughput"] ?? "80"), (1...100_000).contains(throughput) else {
    fail("--throughput must be a number of messages per second")
}
guard let retrySeconds = Double(options["--webhook-retry-seconds"] ?? "0"), retrySeconds >= 0 else {
    fail("--webhook-retry-seconds must be a number of seconds")
}
var configuration = SimulatorConfiguration(
    numbers: [number], appSecret: options["--app-secret"] ?? "simulator-app-secret", webhookURL: webhookURL, throughputPerSecond: throughput)
configuration.webhookRetryFor = retrySeconds
configuration.sentLog = options["--sent-log"].map { URL(fileURLWithPath: $0) }
configuration.webhookLog = options["--webhook-log"].map { URL(fileURLWithPath: $0) }
let simulator = GraphSimulator(configuration)
if let template = options["--template"] {
    let parts = template.split(separator: ":", maxSplits: 3).map(String.init)
    guard parts.count == 4 else { fail("--template must look like NAME:LANGUAGE:CATEGORY:BODY") }
    simulator.addTemplate(name: parts[0], language: parts[1], category: parts[2], body: parts[3])
}

let baseURL: URL
do {
    baseURL = try await simulator.start(host: options["--host"] ?? "127.0.0.1", port: port)
} catch {
    fail("could not start: \(error)")
}
FileHandle.standardOutput.write(Data((baseURL.absoluteString + "\n").utf8))

let demo = demoRate.map { DemoCustomers(simulator: simulator, messagesPerMinute: $0) }
demo?.start()

await waitForStopSignal(label: "whatsapp-simulator")

demo?.stop()
do {
    try await simulator.shutdown()
} catch {
    FileHandle.standardError.write(Data("whatsapp-simulator: shutdown: \(error)\n".utf8))
    exit(1)
}
