@testable import App
import Fluent
import Foundation
import Jobs
import SQLKit
import Testing
import Vapor
import VaporTesting
import WhatsAppCloud
import WhatsAppSimulator

/// Replying: every outbound type reaches the Graph API in Meta's wire format, the 24-hour window
/// is enforced before calling Meta, errors are handled by code, and nothing is ever sent twice.
@Suite struct OutboundTests {
    /// A conversation in which the customer has just written (so the window is open).
    func openConversation(_ harness: WhatsAppHarness, waID: String = "31612345678") async throws -> (Conversation, String) {
        let wamid = try await harness.customer(waID).sendText("Goedemorgen")
        _ = try await harness.stored(wamid)
        return (try #require(try await harness.conversation(with: waID)), wamid)
    }

    func send(_ harness: WhatsAppHarness, _ conversation: Conversation, _ json: String) async throws -> TestingHTTPResponse {
        try await harness.owner.api(.POST, "/api/v1/conversations/\(conversation.id!)/messages", json: json)
    }

    func delivered(_ harness: WhatsAppHarness, count: Int) async throws -> [SentMessage] {
        try await harness.eventually("\(count) messages at the simulator") { harness.simulator.sentMessages.count >= count }
        return harness.simulator.sentMessages
    }

    @Test func everyOutboundTypeReachesMetaInItsWireFormat() async throws {
        try await WhatsAppHarness.run { harness in
            let (conversation, inbound) = try await openConversation(harness)
            let requests = [
                #"{"type":"text","text":"Ja, we hebben speltbrood! https://bakkerij.example/spelt","preview_url":true,"reply_to":"\#(inbound)"}"#,
                #"{"type":"image","link":"https://bakkerij.example/spelt.jpg","text":"Vers van vanochtend"}"#,
                #"{"type":"document","link":"https://bakkerij.example/menu.pdf","filename":"menu.pdf"}"#,
                #"{"type":"location","latitude":52.37,"longitude":4.89,"name":"Bakkerij Anna","address":"Dam 1"}"#,
                #"{"type":"buttons","text":"Ophalen of bezorgen?","buttons":[{"id":"pickup","title":"Ophalen"},{"id":"deliver","title":"Bezorgen"}]}"#,
                #"{"type":"list","text":"Kies een brood","list_button":"Broden","buttons":[{"id":"spelt","title":"Spelt","description":"Volkoren"},{"id":"rye","title":"Rogge"}]}"#,
                #"{"type":"reaction","react_to":"\#(inbound)","emoji":"❤️"}"#,
            ]
            for json in requests {
                let response = try await send(harness, conversation, json)
                #expect(response.status == .accepted, "\(json): \(response.body.string)")
            }
            let sent = try await delivered(harness, count: requests.count)
            let byType = Dictionary(grouping: sent, by: \.type)
            #expect(byType["text"]?.first?.json["text"]?["preview_url"] == .bool(true))
            #expect(byType["text"]?.first?.json["context"]?["message_id"] == .string(inbound))
            #expect(byType["image"]?.first?.json["image"]?["caption"] == .string("Vers van vanochtend"))
            #expect(byType["document"]?.first?.json["document"]?["filename"] == .string("menu.pdf"))
            #expect(byType["location"]?.first?.json["location"]?["name"] == .string("Bakkerij Anna"))
            #expect(byType["interactive"]?.count == 2)
            #expect(byType["reaction"]?.first?.json["reaction"]?["emoji"] == .string("❤️"))
            #expect(sent.allSatisfy { $0.to == "31612345678" })

            try await harness.eventually("all sent") {
                try await harness.scope.query(Message.self).filter(\.$direction == .outbound).filter(\.$status == .sent).count() == requests.count
            }
            let outbound = try await harness.scope.query(Message.self).filter(\.$direction == .outbound).all()
            #expect(Set(outbound.compactMap(\.wamid)) == Set(sent.map(\.wamid)))
        }
    }

    @Test func anUploadedFileIsUploadedToMetaAndSentById() async throws {
        try await WhatsAppHarness.run { harness in
            let (conversation, _) = try await openConversation(harness)
            let png = Data([0x89, 0x50, 0x4E, 0x47]) + Data(repeating: 0xAB, count: 3000)
            let boundary = "----adsapp-test"
            var body = Data()
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n".utf8))
            _ = try await harness.owner.get("/inbox/\(conversation.id!)")
            body.append(Data("\(harness.owner.csrfToken ?? "")\r\n".utf8))
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nOnze taart\r\n".utf8))
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"taart.png\"\r\nContent-Type: image/png\r\n\r\n".utf8))
            body.append(png)
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
            let response = try await harness.owner.send(.POST, "/inbox/\(conversation.id!)/messages", headers: headers, body: ByteBuffer(data: body))
            #expect(response.status == .seeOther, "\(response.body.string.prefix(300))")
            let sent = try await delivered(harness, count: 1)
            let image = try #require(sent.first)
            #expect(image.type == "image")
            #expect(image.json["image"]?["caption"] == .string("Onze taart"))
            let mediaID = try #require(image.json["image"]?["id"]?.stringValue)
            #expect(harness.simulator.mediaBytes(mediaID) == png)
        }
    }

    @Test func freeFormOutsideTheWindowIsRefusedBeforeCallingMetaAndTemplatesAreOffered() async throws {
        try await WhatsAppHarness.run { harness in
            let (conversation, _) = try await openConversation(harness)
            harness.clock.advance(by: 24 * 3600 + 1)
            let refused = try await send(harness, conversation, #"{"type":"text","text":"Nog iets?"}"#)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("window_closed"))
            #expect(refused.body.string.contains("template"))
            #expect(try await harness.scope.query(Message.self).filter(\.$direction == .outbound).count() == 0)

            let page = try await harness.owner.get("/inbox/\(conversation.id!)")
            #expect(page.body.string.contains("window-closed"))
            #expect(!page.body.string.contains("compose-form"))

            // A template that is not approved is refused too; an approved one goes out.
            #expect(
                try await send(harness, conversation, #"{"type":"template","template":{"name":"order_ready","language":"nl"}}"#).status == .unprocessableEntity)
            _ = harness.simulator.addTemplate(
                name: "order_ready", language: "nl", category: "UTILITY", body: "Je bestelling {{1}} ligt klaar", status: "APPROVED")
            _ = try await harness.owner.api(.POST, "/api/v1/whatsapp/templates/sync")
            try await harness.eventually("template synced") {
                try await harness.scope.query(MessageTemplate.self).filter(\.$name == "order_ready").first()?.status == "APPROVED"
            }
            let accepted = try await send(
                harness, conversation, #"{"type":"template","template":{"name":"order_ready","language":"nl","parameters":["A-17"]}}"#)
            #expect(accepted.status == .accepted, "\(accepted.body.string)")
            let sent = try await delivered(harness, count: 1)
            #expect(sent.first?.type == "template")
            #expect(sent.first?.json["template"]?["name"] == .string("order_ready"))
            #expect(harness.simulator.sentMessages.count == 1)
        }
    }

    @Test func templatesCarryHeaderBodyAndButtonParametersInTheirLanguage() async throws {
        try await WhatsAppHarness.run { harness in
            let (conversation, _) = try await openConversation(harness)
            _ = harness.simulator.addTemplate(
                name: "order_shipped", language: "nl", category: "UTILITY", body: "Hoi {{1}}, bestelling {{2}} is onderweg.",
                extraComponents: [
                    .object(["type": .string("HEADER"), "format": .string("IMAGE")]),
                    .object([
                        "type": .string("BUTTONS"),
                        "buttons": .array([
                            .object(["type": .string("URL"), "text": .string("Volg"), "url": .string("https://bakkerij.example/track/{{1}}")]),
                            .object(["type": .string("QUICK_REPLY"), "text": .string("Stop")]),
                        ]),
                    ]),
                ]
            )
            _ = try await harness.owner.api(.POST, "/api/v1/whatsapp/templates/sync")
            try await harness.eventually("template synced") {
                try await harness.scope.query(MessageTemplate.self).filter(\.$name == "order_shipped").first() != nil
            }
            let response = try await send(
                harness, conversation,
                """
                {"type":"template","template":{"name":"order_shipped","language":"nl","parameters":["Jan","A-17"],
                 "header_image":"https://bakkerij.example/box.jpg",
                 "buttons":[{"index":0,"type":"url","value":"A-17"},{"index":1,"type":"quick_reply","value":"STOP"}]}}
                """)
            #expect(response.status == .accepted, "\(response.body.string)")
            let sent = try #require(try await delivered(harness, count: 1).first)
            let template = try #require(sent.json["template"])
            #expect(template["language"]?["code"] == .string("nl"))
            guard case .array(let components)? = template["components"] else { Issue.record("no components"); return }
            let byType = Dictionary(
                components.compactMap { component in component["type"]?.stringValue.map { ($0, component) } }, uniquingKeysWith: { first, _ in first })
            #expect(byType["header"]?["parameters"]?[0]?["image"]?["link"] == .string("https://bakkerij.example/box.jpg"))
            #expect(byType["body"]?["parameters"]?[1]?["text"] == .string("A-17"))
            let buttons = components.filter { $0["type"]?.stringValue == "button" }
            #expect(buttons.count == 2)
            #expect(buttons.contains { $0["sub_type"] == .string("url") && $0["parameters"]?[0]?["text"] == .string("A-17") })
            #expect(buttons.contains { $0["sub_type"] == .string("quick_reply") && $0["parameters"]?[0]?["payload"] == .string("STOP") })

            // Two headers at once is a mistake the sender hears about before anything is recorded.
            let twoHeaders = try await send(
                harness, conversation,
                #"{"type":"template","template":{"name":"order_shipped","language":"nl","header_text":"a","header_image":"https://x.example/a.jpg"}}"#)
            #expect(twoHeaders.status == .unprocessableEntity)
            #expect(twoHeaders.body.string.contains("one header"))
        }
    }

    @Test func badMessagesGetAClearErrorAndNothingIsRecorded() async throws {
        try await WhatsAppHarness.run { harness in
            let (conversation, _) = try await openConversation(harness)
            let cases: [(String, String)] = [
                (#"{"type":"text"}"#, "text"),
                (#"{"type":"text","text":"\#(String(repeating: "a", count: 4097))"}"#, "4096"),
                (#"{"type":"image","link":"http://insecure.example/a.jpg"}"#, "https"),
                (
                    #"{"type":"buttons","text":"Kies","buttons":[{"id":"1","title":"a"},{"id":"2","title":"b"},{"id":"3","title":"c"},{"id":"4","title":"d"}]}"#,
                    "button"
                ),
                (#"{"type":"carrier-pigeon"}"#, "type"),
                (#"not json"#, "JSON"),
            ]
            for (json, mention) in cases {
                let response = try await send(harness, conversation, json)
                #expect(response.status == .badRequest || response.status == .unprocessableEntity, "\(json)")
                #expect(response.body.string.contains("\"error\""))
                #expect(response.body.string.localizedCaseInsensitiveContains(mention), "\(json): \(response.body.string)")
            }
            #expect(try await harness.scope.query(Message.self).filter(\.$direction == .outbound).count() == 0)
        }
    }

    @Test func aSendWhoseOutcomeIsUnknownIsNeverRepeated() async throws {
        try await WhatsAppHarness.run { harness in
            let (conversation, _) = try await openConversation(harness)
            // A message left in `sending` by a process that died during the call to Meta. Its job is
            // due in an hour, so the worker cannot send it before the test has put it in that state.
            let later = JobStore(database: harness.db, now: { harness.clock.now.addingTimeInterval(3600) })
            let message = try await MessageSending(
                scope: harness.scope, jobs: later, inboxWakeUp: harness.app.backgroundJobs.inboxWakeUp, now: harness.clock.now
            )
            .queue(.text("Komt eraan"), in: conversation, sender: nil)
            try await (harness.db as! any SQLDatabase).raw("UPDATE messages SET status = 'sending' WHERE id = \(bind: message.id!)").run()
            harness.clock.advance(by: 3601)
            try await harness.eventually("outcome marked unknown") {
                try await harness.scope.find(Message.self, message.id)?.status == .unknown
            }
            #expect(harness.simulator.sentMessages.isEmpty)
            // Its status webhooks later tell what happened.
        }
    }

    @Test func throughputErrorsAreRetriedAndTheMessageIsSentOnce() async throws {
        try await WhatsAppHarness.run(throughputPerSecond: 1) { harness in
            let (conversation, _) = try await openConversation(harness, waID: "31600000001")
            // The app is allowed 80/s, the simulator accepts 1/s: the second and third get 130429 first.
            for text in ["een", "twee", "drie"] {
                #expect(try await send(harness, conversation, #"{"type":"text","text":"\#(text)"}"#).status == .accepted)
            }
            try await harness.eventually("all three sent", timeout: .seconds(30)) {
                harness.clock.advance(by: 5)
                return try await harness.scope.query(Message.self).filter(\.$direction == .outbound).filter(\.$status == .sent).count() == 3
            }
            let bodies = harness.simulator.sentMessages.compactMap { $0.json["text"]?["body"]?.stringValue }
            #expect(bodies.sorted() == ["drie", "een", "twee"])
        }
    }

    @Test func aRefusedTokenMarksTheConnectionBrokenAndTellsTheAdmins() async throws {
        try await WhatsAppHarness.run { harness in
            let (conversation, _) = try await openConversation(harness)
            harness.simulator.breakToken(for: WhatsAppHarness.number.phoneNumberID)
            #expect(try await send(harness, conversation, #"{"type":"text","text":"Hallo?"}"#).status == .accepted)
            try await harness.eventually("connection broken and message failed") {
                let connection = try await harness.scope.find(WhatsAppConnection.self, harness.connectionID)
                let message = try await harness.scope.query(Message.self).filter(\.$direction == .outbound).first()
                return connection?.state == .broken && message?.status == .failed
            }
            let failed = try #require(try await harness.scope.query(Message.self).filter(\.$direction == .outbound).first())
            #expect(failed.status == .failed)
            #expect(failed.errorCode == 190)
            let dashboard = try await harness.owner.get("/dashboard")
            #expect(dashboard.body.string.contains("data-testid=\"warning\""))
            #expect(dashboard.body.string.contains(WhatsAppHarness.number.displayPhoneNumber))
            // Only this organization's admins are told: not its agents, and not an admin working in
            // another organization of theirs (each organization's count comes with the session).
            let agent = try await harness.colleague("Ruud Agent")
            #expect(!(try await agent.browser.get("/dashboard")).body.string.contains("data-testid=\"warning\""))
            let admin = try await harness.colleague("Bram Admin", role: .admin)
            #expect((try await admin.browser.get("/dashboard")).body.string.contains("data-testid=\"warning\""))
            let home = try #require(
                try await Membership.query(on: harness.db).filter(\.$user.$id == admin.membership.$user.id)
                    .filter(\.$organizationID != harness.organizationID).first())
            #expect(try await admin.browser.post("/organizations/switch", ["organization_id": home.organizationID.uuidString]).status == .seeOther)
            let elsewhere = try await admin.browser.get("/dashboard")
            #expect(elsewhere.status == .ok)
            #expect(!elsewhere.body.string.contains("data-testid=\"warning\""))
            // Nothing more is queued on a broken connection.
            let refused = try await send(harness, conversation, #"{"type":"text","text":"Nog een keer"}"#)
            #expect(refused.body.string.contains("connection_broken"))

            // Saving a good token again repairs it.
            harness.simulator.restoreToken(for: WhatsAppHarness.number.phoneNumberID)
            let repaired = try await harness.owner.api(
                .POST, "/api/v1/whatsapp/connections",
                json: #"{"phone_number_id":"\#(WhatsAppHarness.number.phoneNumberID)","access_token":"\#(WhatsAppHarness.number.accessToken)"}"#)
            #expect(repaired.status == .created, "\(repaired.body.string)")
            #expect(try await harness.scope.find(WhatsAppConnection.self, harness.connectionID)?.state == .active)
            #expect(!(try await harness.owner.get("/dashboard")).body.string.contains("data-testid=\"warning\""))
        }
    }

    @Test func openingAConversationSendsAReadReceipt() async throws {
        try await WhatsAppHarness.run { harness in
            let (conversation, inbound) = try await openConversation(harness)
            #expect(try await harness.owner.get("/inbox/\(conversation.id!)").status == .ok)
            try await harness.eventually("read receipt") { harness.simulator.readReceipts.contains(inbound) }
            #expect(try await harness.scope.find(Conversation.self, conversation.id)?.unreadCount == 0)
        }
    }
}
