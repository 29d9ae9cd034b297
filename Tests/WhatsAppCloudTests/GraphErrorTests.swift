import Foundation
import Testing
import WhatsAppCloud

@Suite struct GraphErrorTests {
    @Test func decodesGraphHTTPErrorBody() throws {
        let body = #"""
            {"error":{"message":"(#131030) Recipient phone number not in allowed list","type":"OAuthException","code":131030,
             "error_subcode":2494010,"error_data":{"messaging_product":"whatsapp","details":"Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again."},
             "fbtrace_id":"AxyZ1234abcd"}}
            """#
        let error = try JSONDecoder().decode(GraphError.self, from: Data(body.utf8))
        #expect(error.code == 131030)
        #expect(error.subcode == 2494010)
        #expect(error.type == "OAuthException")
        #expect(error.fbtraceID == "AxyZ1234abcd")
        #expect(error.message == "(#131030) Recipient phone number not in allowed list")
        #expect(error.details?.hasPrefix("Recipient phone number not in allowed list:") == true)
        #expect(error.disposition == .recipientNotAllowed)
        #expect(error.description.contains("131030"))
    }

    @Test func decodesWebhookError() throws {
        let body =
            #"{"code":130429,"title":"Rate limit hit","message":"Rate limit hit","error_data":{"details":"Cloud API message throughput has been reached."}}"#
        let error = try JSONDecoder().decode(GraphError.self, from: Data(body.utf8))
        #expect(
            error == GraphError(code: 130429, title: "Rate limit hit", message: "Rate limit hit", details: "Cloud API message throughput has been reached."))
        #expect(error.disposition == .throughputExceeded)
        #expect(error.disposition.isRetryable)
    }

    @Test func roundTripsThroughStorage() throws {
        let error = GraphError(code: 131026, title: "Message undeliverable", details: "not on WhatsApp", subcode: 7, fbtraceID: "t", httpStatus: 400)
        let again = try JSONDecoder().decode(GraphError.self, from: JSONEncoder().encode(error))
        #expect(again == error)
    }

    @Test(arguments: [
        (131047, ErrorDisposition.windowClosed, false),
        (131026, .undeliverable, false),
        (130429, .throughputExceeded, true),
        (131056, .pairRateLimited, true),
        (131048, .spamOrNotDelivered, false),
        (131049, .spamOrNotDelivered, false),
        (131030, .recipientNotAllowed, false),
        (131031, .accountBlocked, false),
        (368, .accountBlocked, false),
        (80007, .wabaRateLimited, true),
        (4, .wabaRateLimited, true),
        (613, .wabaRateLimited, true),
        (190, .tokenBroken, false),
        (1, .transient, true),
        (2, .transient, true),
        (131000, .transient, true),
        (131016, .transient, true),
        (100, .permanent, false),
        (132001, .permanent, false),
    ])
    func dispositionTable(_ code: Int, _ expected: ErrorDisposition, _ retryable: Bool) {
        let disposition = GraphError(code: code).disposition
        #expect(disposition == expected)
        #expect(disposition.isRetryable == retryable)
    }

    @Test func httpStatusWithoutACode() {
        #expect(GraphError(code: 0, httpStatus: 503).disposition == .transient)
        #expect(GraphError(code: 0, httpStatus: 429).disposition == .throughputExceeded)
        #expect(GraphError(code: 0, httpStatus: 404).disposition == .permanent)
        // A code from Meta wins over the HTTP status.
        #expect(GraphError(code: 131047, httpStatus: 500).disposition == .windowClosed)
    }
}
