import Foundation
import PythonPeers
import Testing

@testable import Stripe

@Suite("Stripe-Signature")
struct StripeSignatureTests {
    let body = Array(#"{"id":"evt_1","object":"event","type":"invoice.paid"}"#.utf8)
    let secret = "whsec_current"
    let now = Date(timeIntervalSince1970: 1_780_000_000)

    @Test("A header made for the body verifies; any change to the body, secret or timestamp does not")
    func roundTrip() throws {
        let header = StripeSignature.header(body: body, secrets: [secret], timestamp: now)
        #expect(try StripeSignature.verify(body: body, header: header, secrets: [secret], now: now) == now)
        #expect(throws: StripeSignature.Failure.noMatchingSignature) {
            try StripeSignature.verify(body: body + Array(" ".utf8), header: header, secrets: [secret], now: now)
        }
        #expect(throws: StripeSignature.Failure.noMatchingSignature) {
            try StripeSignature.verify(body: body, header: header, secrets: ["whsec_other"], now: now)
        }
        let moved = header.replacingOccurrences(of: "t=1780000000", with: "t=1780000001")
        #expect(throws: StripeSignature.Failure.noMatchingSignature) {
            try StripeSignature.verify(body: body, header: moved, secrets: [secret], now: now)
        }
    }

    @Test("The timestamp must be within 300 s of our clock, either way")
    func tolerance() throws {
        let header = StripeSignature.header(body: body, secrets: [secret], timestamp: now)
        try StripeSignature.verify(body: body, header: header, secrets: [secret], now: now.addingTimeInterval(300))
        try StripeSignature.verify(body: body, header: header, secrets: [secret], now: now.addingTimeInterval(-300))
        #expect(throws: StripeSignature.Failure.outsideTolerance(timestamp: 1_780_000_000)) {
            try StripeSignature.verify(body: body, header: header, secrets: [secret], now: now.addingTimeInterval(301))
        }
        #expect(throws: StripeSignature.Failure.outsideTolerance(timestamp: 1_780_000_000)) {
            try StripeSignature.verify(body: body, header: header, secrets: [secret], now: now.addingTimeInterval(-301))
        }
    }

    @Test("While a secret is rolled: several v1 in the header, several secrets of ours, any pair may match")
    func rotation() throws {
        let both = StripeSignature.header(body: body, secrets: ["whsec_old", "whsec_new"], timestamp: now)
        #expect(both.components(separatedBy: "v1=").count == 3)
        try StripeSignature.verify(body: body, header: both, secrets: ["whsec_new"], now: now)
        try StripeSignature.verify(body: body, header: both, secrets: ["whsec_old"], now: now)
        let onlyOld = StripeSignature.header(body: body, secrets: ["whsec_old"], timestamp: now)
        try StripeSignature.verify(body: body, header: onlyOld, secrets: ["whsec_new", "whsec_old"], now: now)
        #expect(throws: StripeSignature.Failure.noMatchingSignature) {
            try StripeSignature.verify(body: body, header: onlyOld, secrets: ["whsec_new"], now: now)
        }
    }

    @Test(
        "Malformed headers are refused with their reason",
        arguments: [
            (nil, StripeSignature.Failure.missingHeader), ("", .missingHeader), ("v1=abc", .malformedHeader),
            ("t=1780000000", .malformedHeader), ("t=abc,v1=00", .malformedHeader),
            ("t=1780000000,v0=" + String(repeating: "0", count: 64), .malformedHeader),
            ("t=1780000000,v1=" + String(repeating: "z", count: 64), .malformedHeader),
            ("t=1780000000,t=1780000001,v1=" + String(repeating: "0", count: 64), .malformedHeader),
            ("t=1780000000,v1=" + String(repeating: "0", count: 64), .noMatchingSignature),
        ] as [(String?, StripeSignature.Failure)])
    func malformed(header: String?, failure: StripeSignature.Failure) {
        #expect(throws: failure) { try StripeSignature.verify(body: body, header: header, secrets: [secret], now: now) }
    }

    @Test("Without a secret nothing verifies")
    func noSecret() {
        let header = StripeSignature.header(body: body, secrets: [""], timestamp: now)
        #expect(throws: StripeSignature.Failure.noSecret) { try StripeSignature.verify(body: body, header: header, secrets: [], now: now) }
        #expect(throws: StripeSignature.Failure.noSecret) { try StripeSignature.verify(body: body, header: header, secrets: [""], now: now) }
    }

    // MARK: The official package

    struct Answer: Decodable {
        var header: String?
        var event: String?
        var error: String?
    }

    func peer(_ request: [String: Any]) async throws -> Answer {
        try JSONDecoder().decode(Answer.self, from: try await PythonPeer.output("stripe_peer.py", input: try JSONSerialization.data(withJSONObject: request)))
    }

    @Test(
        "Headers the stripe package makes verify here, and ours there, also with two secrets while one is rolled; a wrong secret or an old timestamp fails on both sides"
    )
    func officialPackage() async throws {
        let text = #"{"id":"evt_1Pq","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1","object":"invoice"}},"note":"Één 🍞"}"#
        let payload = Array(text.utf8)
        let seconds = Int(Date().timeIntervalSince1970)
        let theirs = try #require(try await peer(["command": "sign", "payload": text, "secret": secret, "timestamp": seconds]).header)
        try StripeSignature.verify(body: payload, header: theirs, secrets: [secret], now: Date())
        #expect(throws: StripeSignature.Failure.noMatchingSignature) {
            try StripeSignature.verify(body: payload, header: theirs, secrets: ["whsec_wrong"], now: Date())
        }
        let old = try #require(try await peer(["command": "sign", "payload": text, "secret": secret, "timestamp": seconds - 301]).header)
        #expect(throws: StripeSignature.Failure.self) { try StripeSignature.verify(body: payload, header: old, secrets: [secret], now: Date()) }

        // Rolling: Stripe signs with the old and the new secret, one v1 each; either of ours matches.
        let theirsOld = try #require(try await peer(["command": "sign", "payload": text, "secret": "whsec_old", "timestamp": seconds]).header)
        let oldSignature = try #require(theirsOld.split(separator: ",").last.map(String.init))
        let rolled = theirs + "," + oldSignature
        try StripeSignature.verify(body: payload, header: rolled, secrets: ["whsec_old"], now: Date())
        try StripeSignature.verify(body: payload, header: rolled, secrets: [secret], now: Date())
        #expect(throws: StripeSignature.Failure.noMatchingSignature) {
            try StripeSignature.verify(body: payload, header: rolled, secrets: ["whsec_other"], now: Date())
        }

        let ours = StripeSignature.header(body: payload, secrets: ["whsec_old", secret], timestamp: Date())
        #expect(try await peer(["command": "verify", "payload": text, "header": ours, "secret": secret, "tolerance": 300]).event == "evt_1Pq")
        #expect(try await peer(["command": "verify", "payload": text, "header": ours, "secret": "whsec_old", "tolerance": 300]).event == "evt_1Pq")
        #expect(
            try await peer(["command": "verify", "payload": text, "header": ours, "secret": "whsec_wrong", "tolerance": 300]).error
                == "SignatureVerificationError")
        let ourOld = StripeSignature.header(body: payload, secrets: [secret], timestamp: Date().addingTimeInterval(-301))
        #expect(
            try await peer(["command": "verify", "payload": text, "header": ourOld, "secret": secret, "tolerance": 300]).error
                == "SignatureVerificationError")
    }
}
