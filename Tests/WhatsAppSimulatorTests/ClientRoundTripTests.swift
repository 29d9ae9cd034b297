import Crypto
import Foundation
import Testing
import WhatsAppCloud
@testable import WhatsAppSimulator

/// The app's Graph API client against the simulator: each checks the other.
@Suite struct ClientRoundTripTests {
    let customerID = "31612345678"

    @Test func everyOutboundTypeIsAcceptedInsideTheWindow() async throws {
        try await withSimulator { simulator, client, _ in
            let inbound = try await simulator.customer(waID: customerID, name: "Anna").sendText("Hallo!")
            let mediaID = try await client.uploadMedia(
                Data(repeating: 7, count: 100), mimeType: "image/jpeg", filename: "photo.jpg",
                phoneNumberID: business.phoneNumberID, token: business.accessToken)
            let link = MediaReference.link(URL(string: "https://cdn.example.com/file.pdf")!)
            let contents: [OutboundContent] = [
                .text(body: "Hi Anna, see https://example.com", previewURL: true),
                .image(.id(mediaID), caption: "Your order"),
                .video(link, caption: nil),
                .audio(.id(mediaID)),
                .document(link, caption: "Invoice", filename: "invoice.pdf"),
                .sticker(.id(mediaID)),
                .location(latitude: 52.37, longitude: 4.89, name: "Shop", address: "Damrak 1"),
                .interactiveButtons(
                    InteractiveButtons(
                        body: "Pick up or delivery?",
                        buttons: [
                            .init(id: "pickup", title: "Pick up"), .init(id: "deliver", title: "Delivery"),
                        ])),
                .interactiveList(
                    InteractiveList(
                        body: "Choose a slot", buttonLabel: "Slots",
                        sections: [
                            .init(title: "Today", rows: [.init(id: "t1", title: "14:00"), .init(id: "t2", title: "16:00")])
                        ])),
                .reaction(messageID: inbound, emoji: "👍"),
            ]
            for content in contents {
                let result = try await client.send(
                    OutboundMessage(to: customerID, content: content, replyTo: inbound),
                    from: business.phoneNumberID, token: business.accessToken)
                #expect(result.messageID.hasPrefix("wamid."))
                #expect(result.waID == customerID)
            }
            let sent = simulator.sentMessages
            #expect(sent.map(\.type) == contents.map(\.typeName))
            #expect(sent.allSatisfy { $0.json["context"]?["message_id"]?.string == inbound })
            #expect(sent[0].json["text"]?["preview_url"]?.bool == true)
            #expect(Set(sent.map(\.wamid)).count == contents.count)
        }
    }

    @Test func templatesAreSentOutsideTheWindowOnlyWhenApproved() async throws {
        try await withSimulator { simulator, client, _ in
            simulator.addTemplate(name: "order_shipped", body: "Hi {{1}}, order {{2}} is on its way.")
            simulator.addTemplate(name: "spring_sale", category: "MARKETING", body: "Sale!", status: "PENDING")
            let approved = TemplateMessage(name: "order_shipped", languageCode: "en_US", body: [.text("Anna"), .text("#123")])
            let result = try await client.send(
                OutboundMessage(to: customerID, content: .template(approved)), from: business.phoneNumberID, token: business.accessToken)
            #expect(result.messageStatus == "accepted")

            let pending = TemplateMessage(name: "spring_sale", languageCode: "en_US")
            await expectGraphError(132001) {
                _ = try await client.send(
                    OutboundMessage(to: customerID, content: .template(pending)), from: business.phoneNumberID, token: business.accessToken)
            }
            let missing = TemplateMessage(name: "no_such_template", languageCode: "en_US")
            await expectGraphError(132001) {
                _ = try await client.send(
                    OutboundMessage(to: customerID, content: .template(missing)), from: business.phoneNumberID, token: business.accessToken)
            }
            let wrongCount = TemplateMessage(name: "order_shipped", languageCode: "en_US", body: [.text("Anna")])
            await expectGraphError(132000) {
                _ = try await client.send(
                    OutboundMessage(to: customerID, content: .template(wrongCount)), from: business.phoneNumberID, token: business.accessToken)
            }
            #expect(simulator.sentMessages.count == 1)
        }
    }

    @Test func freeFormOutsideTheWindowGets131047AndNothingIsSent() async throws {
        let clock = TestClock()
        try await withSimulator(now: { clock.now }) { simulator, client, _ in
            let text = OutboundMessage(to: customerID, content: .text(body: "Hello?", previewURL: false))
            let never = await expectGraphError(131047) {
                _ = try await client.send(text, from: business.phoneNumberID, token: business.accessToken)
            }
            #expect(never?.disposition == ErrorDisposition(code: 131047))

            try await simulator.customer(waID: customerID, name: "Anna").sendText("Hi")
            clock.advance(by: 23 * 3600)
            _ = try await client.send(text, from: business.phoneNumberID, token: business.accessToken)
            clock.advance(by: 3601)
            await expectGraphError(131047) {
                _ = try await client.send(text, from: business.phoneNumberID, token: business.accessToken)
            }
            // The window belongs to the number the customer wrote to.
            await expectGraphError(131047) {
                _ = try await client.send(text, from: otherBusiness.phoneNumberID, token: otherBusiness.accessToken)
            }
            #expect(simulator.sentMessages.count == 1)
        }
    }

    @Test func throughputOverTheLimitGets130429() async throws {
        let clock = TestClock()
        try await withSimulator(configure: { $0.throughputPerSecond = 5 }, now: { clock.now }) { simulator, client, _ in
            for index in 0..<6 { try await simulator.customer(waID: "3161234560\(index)", name: "C\(index)").sendText("hi") }
            for index in 0..<5 {
                let message = OutboundMessage(to: "3161234560\(index)", content: .text(body: "reply", previewURL: false))
                _ = try await client.send(message, from: business.phoneNumberID, token: business.accessToken)
            }
            let over = OutboundMessage(to: "31612345605", content: .text(body: "reply", previewURL: false))
            let error = await expectGraphError(130429) {
                _ = try await client.send(over, from: business.phoneNumberID, token: business.accessToken)
            }
            #expect(error?.disposition.isRetryable == true)
            clock.advance(by: 1)
            _ = try await client.send(over, from: business.phoneNumberID, token: business.accessToken)
            #expect(simulator.sentMessages.count == 6)
        }
    }

    @Test func pairRateOverTheBurstGets131056() async throws {
        let clock = TestClock()
        try await withSimulator(configure: { $0.pairRate = PairRate(burst: 3, perSeconds: 6) }, now: { clock.now }) { simulator, client, _ in
            try await simulator.customer(waID: customerID, name: "Anna").sendText("hi")
            let message = OutboundMessage(to: customerID, content: .text(body: "reply", previewURL: false))
            for _ in 0..<3 { _ = try await client.send(message, from: business.phoneNumberID, token: business.accessToken) }
            await expectGraphError(131056) {
                _ = try await client.send(message, from: business.phoneNumberID, token: business.accessToken)
            }
            // Another customer is not held back.
            try await simulator.customer(waID: "31687654321", name: "Bram").sendText("hi")
            _ = try await client.send(
                OutboundMessage(to: "31687654321", content: .text(body: "reply", previewURL: false)), from: business.phoneNumberID, token: business.accessToken)
            clock.advance(by: 6)
            _ = try await client.send(message, from: business.phoneNumberID, token: business.accessToken)
            #expect(simulator.sentMessages.count == 5)
        }
    }

    @Test func aBrokenTokenGets190Everywhere() async throws {
        try await withSimulator { simulator, client, _ in
            _ = try await client.phoneNumberInfo(phoneNumberID: business.phoneNumberID, token: business.accessToken)
            simulator.breakToken(for: business.phoneNumberID)
            await expectGraphError(190) {
                _ = try await client.phoneNumberInfo(phoneNumberID: business.phoneNumberID, token: business.accessToken)
            }
            await expectGraphError(190) {
                _ = try await client.send(
                    OutboundMessage(to: customerID, content: .text(body: "x", previewURL: false)), from: business.phoneNumberID, token: business.accessToken)
            }
            let error = await expectGraphError(190) {
                _ = try await client.templates(wabaID: business.wabaID, after: nil, token: business.accessToken)
            }
            #expect(error?.httpStatus == 401)
            // The other number's token still works.
            _ = try await client.phoneNumberInfo(phoneNumberID: otherBusiness.phoneNumberID, token: otherBusiness.accessToken)
            simulator.restoreToken(for: business.phoneNumberID)
            _ = try await client.phoneNumberInfo(phoneNumberID: business.phoneNumberID, token: business.accessToken)
        }
    }

    @Test func phoneNumberInfoMatchesTheConfiguration() async throws {
        try await withSimulator { _, client, _ in
            let info = try await client.phoneNumberInfo(phoneNumberID: business.phoneNumberID, token: business.accessToken)
            #expect(info.id == business.phoneNumberID)
            #expect(info.displayPhoneNumber == business.displayPhoneNumber)
            #expect(info.verifiedName == business.verifiedName)
            #expect(info.qualityRating == "GREEN")
        }
    }

    @Test func uploadedMediaComesBackByteForByte() async throws {
        try await withSimulator { simulator, client, _ in
            let bytes = Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 * 31) })
            let id = try await client.uploadMedia(
                bytes, mimeType: "application/pdf", filename: "menu.pdf", phoneNumberID: business.phoneNumberID, token: business.accessToken)
            let info = try await client.mediaInfo(id: id, token: business.accessToken)
            #expect(info.id == id)
            #expect(info.mimeType == "application/pdf")
            #expect(info.fileSize == bytes.count)
            #expect(info.sha256 == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            let downloaded = try await client.downloadMedia(from: info.url, token: business.accessToken, maxBytes: 1 << 20)
            #expect(downloaded == bytes)
            #expect(simulator.mediaBytes(id) == bytes)
            // Another number's token may not read it.
            await expectGraphError(100) { _ = try await client.mediaInfo(id: id, token: otherBusiness.accessToken) }
            // Unsupported types are refused.
            await expectGraphError(100) {
                _ = try await client.uploadMedia(
                    bytes, mimeType: "application/x-msdownload", filename: "x.exe", phoneNumberID: business.phoneNumberID, token: business.accessToken)
            }
        }
    }

    @Test func failingDownloadsFailThenRecover() async throws {
        try await withSimulator { simulator, client, _ in
            let bytes = Data("menu".utf8)
            let id = try await client.uploadMedia(
                bytes, mimeType: "text/plain", filename: "menu.txt", phoneNumberID: business.phoneNumberID, token: business.accessToken)
            let info = try await client.mediaInfo(id: id, token: business.accessToken)
            simulator.failNextMediaDownloads(2, status: 500)
            for _ in 0..<2 {
                do {
                    _ = try await client.downloadMedia(from: info.url, token: business.accessToken, maxBytes: 1024)
                    Issue.record("download should have failed")
                } catch let error as GraphError {
                    #expect(error.httpStatus == 500)
                }
            }
            #expect(try await client.downloadMedia(from: info.url, token: business.accessToken, maxBytes: 1024) == bytes)
            simulator.failNextMediaDownloads(1, status: 404)
            do {
                _ = try await client.downloadMedia(from: info.url, token: business.accessToken, maxBytes: 1024)
                Issue.record("download should have failed")
            } catch let error as GraphError {
                #expect(error.httpStatus == 404)
            }
        }
    }

    @Test func templatesArePagedOverSeveralPages() async throws {
        try await withSimulator { simulator, client, _ in
            for index in 0..<230 { simulator.addTemplate(name: String(format: "template_%03d", index), body: "Body \(index)") }
            simulator.addTemplate(name: "other_waba", body: "x", wabaID: otherBusiness.wabaID)
            var names: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await client.templates(wabaID: business.wabaID, after: cursor, token: business.accessToken)
                names += page.templates.map(\.name)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(names == (0..<230).map { String(format: "template_%03d", $0) })
        }
    }

    @Test func createdTemplatesAreReviewedThenDeleted() async throws {
        try await withSimulator { simulator, client, collector in
            let definition = TemplateDefinition(
                name: "appointment_reminder", language: "nl", category: .utility,
                body: .init(text: "Hoi {{1}}, tot morgen om {{2}}.", examples: [.init(value: "Anna"), .init(value: "10:00")]))
            let created = try await client.createTemplate(definition, wabaID: business.wabaID, token: business.accessToken)
            #expect(created.status == "PENDING")
            #expect(created.category == "UTILITY")
            await expectGraphError(100) { _ = try await client.createTemplate(definition, wabaID: business.wabaID, token: business.accessToken) }

            let message = OutboundMessage(
                to: customerID, content: .template(TemplateMessage(name: "appointment_reminder", languageCode: "nl", body: [.text("Anna"), .text("10:00")])))
            await expectGraphError(132001) { _ = try await client.send(message, from: business.phoneNumberID, token: business.accessToken) }

            try await simulator.approveTemplate(name: "appointment_reminder")
            let deliveries = try await collector.wait(for: 1)
            let notification = try WebhookNotification.decode(deliveries[0].body)
            guard case .templateStatus(let update) = notification.entries.first?.changes.first?.value else {
                Issue.record("expected a template status update, got \(notification)")
                return
            }
            #expect(update.event == "APPROVED")
            #expect(deliveries[0].signatureValid)
            _ = try await client.send(message, from: business.phoneNumberID, token: business.accessToken)

            let listed = try await client.templates(wabaID: business.wabaID, after: nil, token: business.accessToken)
            #expect(listed.templates.map(\.status) == ["APPROVED"])
            try await client.deleteTemplate(name: "appointment_reminder", wabaID: business.wabaID, token: business.accessToken)
            #expect(try await client.templates(wabaID: business.wabaID, after: nil, token: business.accessToken).templates.isEmpty)
            await expectGraphError(100) { try await client.deleteTemplate(name: "appointment_reminder", wabaID: business.wabaID, token: business.accessToken) }
        }
    }

    @Test func templatesApproveThemselvesAfterTheConfiguredDelay() async throws {
        try await withSimulator(configure: { $0.templateApprovalDelay = 0.1 }) { simulator, client, collector in
            let definition = TemplateDefinition(name: "welcome", language: "en_US", category: .marketing, body: .init(text: "Welcome!"))
            _ = try await client.createTemplate(definition, wabaID: business.wabaID, token: business.accessToken)
            _ = try await collector.wait(for: 1)
            #expect(simulator.templates.first?.status == "APPROVED")
        }
    }

    @Test func markReadIsRecorded() async throws {
        try await withSimulator { simulator, client, _ in
            let wamid = try await simulator.customer(waID: customerID, name: "Anna").sendText("Are you open?")
            try await client.markRead(messageID: wamid, phoneNumberID: business.phoneNumberID, token: business.accessToken)
            #expect(simulator.readReceipts == [wamid])
            #expect(simulator.sentMessages.isEmpty)
        }
    }
}
