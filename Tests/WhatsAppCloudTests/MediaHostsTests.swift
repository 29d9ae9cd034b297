import Foundation
import Testing
@testable import WhatsAppCloud

/// Which media URLs may carry the access token, and the WABA number list that proves a number's account.
@Suite struct MediaHostsTests {
    @Test func onlyHTTPSToMetasMediaHostIsAllowedByDefault() {
        let allowed = ["https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2&hash=3", "https://LOOKASIDE.fbsbx.com:443/x"]
        for text in allowed { #expect(MediaHosts.meta.allows(URL(string: text)!), "\(text)") }
        let refused = [
            "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
            "https://lookaside.fbsbx.com.evil.example/x",
            "https://evil.example/lookaside.fbsbx.com",
            "https://lookaside.fbsbx.com@evil.example/x",
            "https://user@lookaside.fbsbx.com/x",
            "https://lookaside.fbsbx.com:8443/x",
            "https://fbsbx.com/x",
            "ftp://lookaside.fbsbx.com/x",
            "file:///etc/passwd",
        ]
        for text in refused { #expect(!MediaHosts.meta.allows(URL(string: text)!), "\(text)") }
    }

    @Test func anOriginMatchesItsSchemeHostAndPortOnly() throws {
        let origin = try #require(MediaHosts.Origin(parsing: "http://127.0.0.1:4010"))
        let hosts = MediaHosts([origin])
        #expect(hosts.allows(URL(string: "http://127.0.0.1:4010/media-download/1?ext=1")!))
        #expect(!hosts.allows(URL(string: "http://127.0.0.1:4011/media-download/1")!))
        #expect(!hosts.allows(URL(string: "https://127.0.0.1:4010/media-download/1")!))
        #expect(MediaHosts.Origin(parsing: "media.example.com") == .init(scheme: "https", host: "media.example.com"))
        for bad in ["", "http://", "https://a.example/path", "https://a.example?x=1", "a..example", "-a.example", "a example"] {
            #expect(MediaHosts.Origin(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func theRefusalNamesTheHostNeverTheQuery() {
        let refusal = MediaHostRefused(url: URL(string: "http://evil.example/x?token=abc")!)
        #expect(refusal.description.contains("http://evil.example"))
        #expect(!refusal.description.contains("token=abc"))
    }

    @Test func theAccountsNumberListDecodesWithItsNextCursor() throws {
        let json =
            #"{"data":[{"id":"106540352242922","display_phone_number":"+31 20 123 4567","verified_name":"Bakkerij Anna","quality_rating":"GREEN"},{"id":"106540352242923"}],"paging":{"cursors":{"before":"QVFI","after":"QVFJ"},"next":"https://graph.facebook.com/v23.0/102290129340398/phone_numbers?after=QVFJ"}}"#
        let page = try JSONDecoder().decode(BusinessAccountNumbersPage.self, from: Data(json.utf8))
        #expect(page.phoneNumberIDs == ["106540352242922", "106540352242923"])
        #expect(page.nextCursor == "QVFJ")
        let last = try JSONDecoder().decode(BusinessAccountNumbersPage.self, from: Data(#"{"data":[],"paging":{"cursors":{"before":"A","after":"B"}}}"#.utf8))
        #expect(last.phoneNumberIDs.isEmpty)
        #expect(last.nextCursor == nil)
    }
}
