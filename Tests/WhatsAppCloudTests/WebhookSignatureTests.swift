import Foundation
import Testing
import WhatsAppCloud

@Suite struct WebhookSignatureTests {
    // Computed once with Python: hmac.new(b"app-secret-123", body, hashlib.sha256).hexdigest()
    let body = Array(#"{"object":"whatsapp_business_account","entry":[]}"#.utf8)
    let secret = "app-secret-123"
    let expected = "sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703"

    @Test func knownVector() {
        #expect(WebhookSignature.header(body: body, appSecret: secret) == expected)
        #expect(WebhookSignature.isValid(body: body, header: expected, appSecret: secret))
    }

    @Test func wrongSecretIsRefused() {
        #expect(!WebhookSignature.isValid(body: body, header: expected, appSecret: "app-secret-124"))
        #expect(!WebhookSignature.isValid(body: body, header: expected, appSecret: ""))
    }

    @Test func oneChangedByteIsRefused() {
        var changed = body
        changed[10] ^= 0x01
        #expect(!WebhookSignature.isValid(body: changed, header: expected, appSecret: secret))
        #expect(!WebhookSignature.isValid(body: body + [0x20], header: expected, appSecret: secret))
    }

    @Test(
        arguments: [
            nil,
            "",
            "sha256=",
            "20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703",  // no prefix
            "sha1=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703",
            "SHA256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703",
            "sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb957",  // short
            "sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb9570300",  // long
            "sha256=zze391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703",  // not hex
            " sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703",
        ] as [String?])
    func malformedHeaderIsRefused(_ header: String?) {
        #expect(!WebhookSignature.isValid(body: body, header: header, appSecret: secret))
    }

    /// Upper-case hex is the same digest, so it is accepted; the prefix must stay lower case as Meta sends it.
    @Test func upperCaseHexIsAccepted() {
        let upper = "sha256=" + expected.dropFirst("sha256=".count).uppercased()
        #expect(WebhookSignature.isValid(body: body, header: upper, appSecret: secret))
    }

    @Test func emptyBody() {
        // hmac.new(b"app-secret-123", b"", hashlib.sha256).hexdigest()
        let header = "sha256=7830cd86f8a6543b14f802bcb61303606ff278d50f445177d72f7c7896b9badc"
        #expect(WebhookSignature.header(body: [UInt8](), appSecret: secret) == header)
        #expect(WebhookSignature.isValid(body: [UInt8](), header: header, appSecret: secret))
        #expect(!WebhookSignature.isValid(body: [UInt8](), header: expected, appSecret: secret))
    }

    @Test func worksOnDataAndFixtureBodies() throws {
        let data = try Fixture.data("message_text")
        let header = WebhookSignature.header(body: data, appSecret: secret)
        #expect(WebhookSignature.isValid(body: data, header: header, appSecret: secret))
        #expect(WebhookSignature.isValid(body: Array(data), header: header, appSecret: secret))
    }
}
