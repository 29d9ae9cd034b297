import Foundation
import Testing
@testable import WhatsAppSimulator

/// The simulator on its own, over raw HTTP: Meta's error shape and the checks the client would never trip.
@Suite struct GraphEndpointTests {
    @Test func missingAndUnknownTokensGet190WithHTTP401() async throws {
        try await withSimulator { simulator, _, _ in
            let url = "\(simulator.baseURL!)/v23.0/\(business.phoneNumberID)"
            for token in [nil, "not-a-token"] {
                let (status, body) = try await rawRequest(.GET, url, token: token)
                #expect(status == 401)
                #expect(body["error"]?["code"]?.int == 190)
                #expect(body["error"]?["type"]?.string == "OAuthException")
                #expect(body["error"]?["fbtrace_id"]?.string?.isEmpty == false)
            }
        }
    }

    @Test func aTokenOnlyReachesItsOwnNumberAndAccount() async throws {
        try await withSimulator { simulator, _, _ in
            let base = simulator.baseURL!.absoluteString
            let number = try await rawRequest(.GET, "\(base)/v23.0/\(otherBusiness.phoneNumberID)")
            #expect(number.status == 400)
            #expect(number.body["error"]?["code"]?.int == 100)
            #expect(number.body["error"]?["error_subcode"]?.int == 33)
            let templates = try await rawRequest(.GET, "\(base)/v23.0/\(otherBusiness.wabaID)/message_templates")
            #expect(templates.body["error"]?["code"]?.int == 100)
        }
    }

    @Test func anyVersionPrefixIsAcceptedButNotGarbage() async throws {
        try await withSimulator { simulator, _, _ in
            let base = simulator.baseURL!.absoluteString
            for version in ["v19.0", "v23.0", "v26.0"] {
                let (status, body) = try await rawRequest(.GET, "\(base)/\(version)/\(business.phoneNumberID)")
                #expect(status == 200)
                #expect(body["verified_name"]?.string == business.verifiedName)
            }
            let (status, body) = try await rawRequest(.GET, "\(base)/latest/\(business.phoneNumberID)")
            #expect(status == 400)
            #expect(body["error"]?["message"]?.string?.contains("Unknown path") == true)
        }
    }

    @Test func invalidSendsGetError100WithDetails() async throws {
        try await withSimulator { simulator, _, _ in
            let url = "\(simulator.baseURL!)/v23.0/\(business.phoneNumberID)/messages"
            let long = String(repeating: "a", count: 4097)
            let cases = [
                #"{"messaging_product":"whatsapp","type":"text","text":{"body":"hi"}}"#,
                #"{"messaging_product":"whatsapp","to":"31612345678","type":"carrier_pigeon","carrier_pigeon":{}}"#,
                #"{"messaging_product":"whatsapp","to":"31612345678","type":"text","text":{"body":"\#(long)"}}"#,
                #"{"to":"31612345678","type":"text","text":{"body":"hi"}}"#,
                #"{"messaging_product":"whatsapp","to":"31612345678","type":"image","image":{"id":"1","link":"https://x.test/a.jpg"}}"#,
                #"not json"#,
            ]
            for json in cases {
                let (status, body) = try await rawRequest(.POST, url, json: json)
                #expect(status == 400, "\(json.prefix(80))")
                #expect(body["error"]?["code"]?.int == 100, "\(json.prefix(80))")
                #expect(body["error"]?["error_data"]?["messaging_product"]?.string == "whatsapp")
                #expect(body["error"]?["error_data"]?["details"]?.string?.isEmpty == false)
            }
            #expect(simulator.sentMessages.isEmpty)
        }
    }

    @Test func aReadReceiptNeedsAMessageTheNumberReceived() async throws {
        try await withSimulator { simulator, _, _ in
            let url = "\(simulator.baseURL!)/v23.0/\(business.phoneNumberID)/messages"
            let unknown = try await rawRequest(.POST, url, json: #"{"messaging_product":"whatsapp","status":"read","message_id":"wamid.nope"}"#)
            #expect(unknown.status == 400)
            let wamid = try await simulator.customer(waID: "31612345678", name: "Anna").sendText("hoi")
            let known = try await rawRequest(.POST, url, json: #"{"messaging_product":"whatsapp","status":"read","message_id":"\#(wamid)"}"#)
            #expect(known.status == 200)
            #expect(known.body["success"]?.bool == true)
            #expect(simulator.readReceipts == [wamid])
        }
    }

    @Test func wamidsAreUniqueAndMetaShaped() async throws {
        try await withSimulator { simulator, _, _ in
            let customer = simulator.customer(waID: "31612345678", name: "Anna")
            var ids: Set<String> = []
            for index in 0..<50 { ids.insert(try await customer.sendText("message \(index)")) }
            #expect(ids.count == 50)
            #expect(ids.allSatisfy { $0.hasPrefix("wamid.HBgL") })
        }
    }

    @Test func downloadUrlNeedsTheToken() async throws {
        try await withSimulator { simulator, _, _ in
            try await simulator.customer(waID: "31612345678", name: "Anna").send(.image(Data([1, 2, 3]), caption: nil))
            let mediaID = try #require(simulator.state.withLock { $0.media.keys.first })
            let info = try await rawRequest(.GET, "\(simulator.baseURL!)/v23.0/\(mediaID)")
            let url = try #require(info.body["url"]?.string)
            #expect(try await rawRequest(.GET, url, token: nil).status == 401)
            #expect(try await rawRequest(.GET, url, token: otherBusiness.accessToken).status == 404)
            #expect(try await rawRequest(.GET, url).status == 200)
        }
    }
}
