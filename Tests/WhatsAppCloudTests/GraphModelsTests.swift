import Foundation
import Testing
@testable import WhatsAppCloud

@Suite struct GraphModelsTests {
    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    @Test func sendResult() throws {
        let result = try decode(
            SendResult.self,
            #"""
            {"messaging_product":"whatsapp","contacts":[{"input":"+1 650 555 1234","wa_id":"16505551234"}],
             "messages":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE4MTE1QjdGMUM5RkNBQUUA","message_status":"accepted"}]}
            """#)
        #expect(result == SendResult(messageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE4MTE1QjdGMUM5RkNBQUUA", waID: "16505551234", messageStatus: "accepted"))
        #expect(throws: DecodingError.self) { try decode(SendResult.self, #"{"messages":[]}"#) }
    }

    @Test func mediaInfo() throws {
        let info = try decode(
            MediaInfo.self,
            #"""
            {"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1749416383&hash=ATu",
             "mime_type":"image/jpeg","sha256":"Wh/IxR1e4nFuUhYo6g8IAeVcnqIzn2bJj2A9cTWu8Q8=","file_size":303833,"id":"1003383421387256"}
            """#)
        #expect(info.url.host == "lookaside.fbsbx.com")
        #expect(info.fileSize == 303833)
        #expect(info.mimeType == "image/jpeg")
        let stringSize = try decode(MediaInfo.self, #"{"url":"https://x.example/a","mime_type":"audio/ogg","sha256":"s","file_size":"12","id":"9"}"#)
        #expect(stringSize.fileSize == 12)
    }

    @Test func phoneNumberInfo() throws {
        let info = try decode(
            PhoneNumberInfo.self,
            #"""
            {"verified_name":"Lucky Shrub","code_verification_status":"VERIFIED","display_phone_number":"+1 555-078-3881",
             "quality_rating":"GREEN","name_status":"APPROVED","throughput":{"level":"STANDARD"},"id":"106540352242922"}
            """#)
        #expect(
            info
                == PhoneNumberInfo(
                    id: "106540352242922", displayPhoneNumber: "+1 555-078-3881", verifiedName: "Lucky Shrub", qualityRating: "GREEN",
                    codeVerificationStatus: "VERIFIED", throughputLevel: "STANDARD", nameStatus: "APPROVED"))
    }

    let templateList = #"""
        {"data":[
          {"name":"seasonal_promotion","parameter_format":"POSITIONAL","components":[
             {"type":"HEADER","format":"TEXT","text":"Our {{1}} is on!","example":{"header_text":["Summer Sale"]}},
             {"type":"BODY","text":"Shop now through {{1}} and use code {{2}}.","example":{"body_text":[["the end of August","25OFF"]]}},
             {"type":"FOOTER","text":"Lucky Shrub"},
             {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop promotions"},{"type":"URL","text":"Shop","url":"https://www.luckyshrub.com/shop"}]}],
           "language":"en_US","status":"APPROVED","category":"MARKETING","id":"546151681022936","quality_score":{"score":"GREEN","date":1749416383}},
          {"name":"broken","language":"en_US"},
          {"name":"new_status","components":[],"language":"nl","status":"LIMIT_EXCEEDED","category":"UTILITY","id":"1","rejected_reason":"NONE"}],
         "paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"},"next":"https://graph.facebook.com/v23.0/102290129340398/message_templates?after=MjQZD"}}
        """#

    @Test func templatePage() throws {
        let page = try decode(TemplatePage.self, templateList)
        #expect(page.nextCursor == "MjQZD")
        #expect(page.templates.map(\.name) == ["seasonal_promotion", "new_status"])  // the undecodable one is skipped
        let template = page.templates[0]
        #expect(template.id == "546151681022936")
        #expect(template.status == "APPROVED")
        #expect(template.category == "MARKETING")
        #expect(template.qualityScore == "GREEN")
        #expect(template.bodyText == "Shop now through {{1}} and use code {{2}}.")
        #expect(template.components.map(\.type) == ["HEADER", "BODY", "FOOTER", "BUTTONS"])
        #expect(template.components[0].format == "TEXT")
        #expect(template.components[3].buttons.map(\.type) == ["QUICK_REPLY", "URL"])
        #expect(template.rawComponents.arrayValue?[1]["example"]?["body_text"] != nil)
        #expect(page.templates[1].status == "LIMIT_EXCEEDED")

        let stored = try JSONEncoder().encode(template)
        #expect(try JSONDecoder().decode(MessageTemplate.self, from: stored) == template)
    }

    @Test func lastTemplatePageHasNoCursor() throws {
        let page = try decode(TemplatePage.self, #"{"data":[],"paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"}}}"#)
        #expect(page.nextCursor == nil)
        #expect(page.templates.isEmpty)
    }

    @Test func errorFromHTTPAnswer() {
        let graph = GraphAPIClient.error(
            status: 400, body: Data(#"{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"fbtrace_id":"A1"}}"#.utf8))
        #expect(graph.code == 190)
        #expect(graph.httpStatus == 400)
        #expect(graph.disposition == .tokenBroken)
        let plain = GraphAPIClient.error(status: 502, body: Data("<html>Bad Gateway</html>".utf8))
        #expect(plain.code == 0)
        #expect(plain.title == "HTTP 502")
        #expect(plain.disposition == .transient)
    }

    @Test func requestURLs() throws {
        let client = GraphAPIClient(httpClient: .shared, baseURL: URL(string: "http://127.0.0.1:8080/")!, version: "v23.0")
        #expect(try client.url(["106540352242922", "messages"]) == "http://127.0.0.1:8080/v23.0/106540352242922/messages")
        #expect(
            try client.url(["1", "message_templates"], query: [("name", "summer sale&x=1")])
                == "http://127.0.0.1:8080/v23.0/1/message_templates?name=summer%20sale%26x%3D1")
        #expect(try client.url(["../me"]) == "http://127.0.0.1:8080/v23.0/..%2Fme")
        #expect(throws: GraphError.self) { try client.url([""]) }
        #expect(throws: GraphError.self) { try client.url([".."]) }
    }

    @Test func multipartBody() {
        let form = MultipartForm(
            fields: [("messaging_product", "whatsapp"), ("type", "image/png")],
            file: (name: "file", filename: "a\"b.png", mimeType: "image/png", data: Data([0x89, 0x50])), boundary: "XYZ")
        let expected =
            "--XYZ\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"
            + "--XYZ\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nimage/png\r\n"
            + "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%22b.png\"\r\nContent-Type: image/png\r\n\r\n"
        var body = Data(expected.utf8)
        body.append(contentsOf: [0x89, 0x50])
        body.append(contentsOf: Array("\r\n--XYZ--\r\n".utf8))
        #expect(form.body() == body)
        #expect(form.contentType == "multipart/form-data; boundary=XYZ")
    }
}
