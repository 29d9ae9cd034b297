import Foundation
import SimulatorSupport
import StripeSimulator

// `stripe-simulator --secret-key sk_test_... --webhook-secret whsec_... [--port N] [--webhook-url URL]
//  [--price ID:CENTS:CURRENCY]...`
// Serves a loopback Stripe API with its Checkout and portal stand-ins, sends the events a payment on
// them brings to the webhook URL, prints its base URL on stdout, stops on SIGINT or SIGTERM.

let usage = """
    usage: stripe-simulator --secret-key sk_test_... --webhook-secret whsec_... [--port N] [--host 127.0.0.1]
                            [--webhook-url URL] [--price ID:CENTS:CURRENCY]...
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("stripe-simulator: \(message)\n\(usage)\n".utf8))
    exit(2)
}

var options: [String: String] = [:]
var prices: [(id: String, amount: Int, currency: String)] = []
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    if argument == "--help" || argument == "-h" {
        print(usage)
        exit(0)
    }
    guard ["--port", "--host", "--secret-key", "--webhook-secret", "--webhook-url", "--price"].contains(argument) else {
        fail("unknown option \(argument)")
    }
    guard let value = arguments.next() else { fail("\(argument) needs a value") }
    if argument == "--price" {
        let parts = value.split(separator: ":").map(String.init)
        guard parts.count == 3, parts[0].hasPrefix("price_"), let cents = Int(parts[1]), cents >= 0, parts[2].count == 3 else {
            fail("--price must look like price_starter:2900:eur")
        }
        prices.append((parts[0], cents, parts[2]))
    } else {
        options[argument] = value
    }
}
guard let secretKey = options["--secret-key"], secretKey.hasPrefix("sk_test_") else { fail("--secret-key must be a test key (sk_test_...)") }
guard let webhookSecret = options["--webhook-secret"], webhookSecret.hasPrefix("whsec_") else { fail("--webhook-secret must start with whsec_") }
guard let port = Int(options["--port"] ?? "0"), (0...65535).contains(port) else { fail("--port must be a number from 0 to 65535") }

let simulator = StripeSimulator(secretKey: secretKey, webhookSecret: webhookSecret, prices: prices)
if let text = options["--webhook-url"] {
    guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else { fail("--webhook-url must be an http(s) URL") }
    simulator.deliverEvents(to: url.absoluteString)
}
let baseURL: URL
do {
    baseURL = try await simulator.start(host: options["--host"] ?? "127.0.0.1", port: port)
} catch {
    fail("could not start: \(error)")
}
FileHandle.standardOutput.write(Data((baseURL.absoluteString + "\n").utf8))

await waitForStopSignal(label: "stripe-simulator")
do {
    try await simulator.shutdown()
} catch {
    FileHandle.standardError.write(Data("stripe-simulator: shutdown: \(error)\n".utf8))
    exit(1)
}
