import Crypto
import Foundation
import Testing
import WhatsAppCloud
@testable import WhatsAppSimulator

/// Customers' webhooks checked by the app's own verifier and decoder.
@Suite struct CustomerWebhookTests {
    /// Decodes the one inbound message of a delivery with the WhatsAppCloud module.
    func inboundMessage(_ delivery: WebhookCollector.Delivery) throws -> (MessagesValue, InboundMessage) {
        #expect(delivery.signatureValid)
        let notification = try WebhookNotification.decode(delivery.body)
        #expect(notification.object == "whatsapp_business_account")
        #expect(notification.entries.first?.id == business.wabaID)
        guard case .messages(let value) = notification.entries.first?.changes.first?.value else {
            throw SimulatorError.unknownTemplate("no messages change in \(String(decoding: delivery.body, as: UTF8.self))")
        }
        return (value, try #require(value.messages.first))
    }

    @Test func everyInboundTypeIsSignedAndDecodes() async throws {
        try await withSimulator { simulator, _, collector in
            let customer = simulator.customer(waID: "31612345678", name: "Anna de Boer")
            let photo = Data((0..<2000).map { UInt8(truncatingIfNeeded: $0) })
            let referral = AdReferral(sourceURL: "https://fb.me/ad", sourceID: "1203", headline: "Spring sale", body: "20% off")
            let contents: [WhatsAppSimulator.InboundContent] = [
                .text("Waar blijft mijn bestelling?"),
                .image(photo, caption: "Kapotte doos"),
                .video(Data([0, 0, 0, 24]), caption: nil),
                .audio(Data([79, 103, 103]), voice: true),
                .document(Data("%PDF-1.4".utf8), filename: "factuur.pdf", caption: "Factuur"),
                .sticker(Data([82, 73, 70, 70]), animated: false),
                .location(latitude: 52.3731, longitude: 4.8922, name: "Dam", address: "Dam 1, Amsterdam"),
                .contacts([WhatsAppSimulator.SharedContact(formattedName: "Piet Jansen", firstName: "Piet", phone: "+31 6 1111 2222", waID: "31611112222")]),
                .buttonReply(id: "pickup", title: "Pick up"),
                .listReply(id: "t1", title: "14:00", description: "Today"),
                .templateButton(payload: "STOP", text: "Stop promotions"),
                .reaction(messageID: "wamid.business1", emoji: "❤️"),
                .reaction(messageID: "wamid.business1", emoji: ""),
                .unsupported,
            ]
            var wamids: [String] = []
            for content in contents {
                wamids.append(try await customer.send(content, replyingTo: "wamid.business0", referral: content.type == "text" ? referral : nil))
            }
            let deliveries = try await collector.wait(for: contents.count)
            #expect(deliveries.count == contents.count)

            var decoded: [WhatsAppCloud.InboundContent] = []
            for (index, delivery) in deliveries.enumerated() {
                let (value, message) = try inboundMessage(delivery)
                #expect(value.metadata.phoneNumberID == business.phoneNumberID)
                #expect(value.metadata.displayPhoneNumber == "31205550100")
                #expect(value.contacts.first?.waID == "31612345678")
                #expect(value.contacts.first?.name == "Anna de Boer")
                #expect(message.id == wamids[index])
                #expect(message.from == "31612345678")
                #expect(message.context?.messageID == "wamid.business0")
                #expect(message.decodingError == nil)
                decoded.append(message.content)
            }

            #expect(decoded[0] == .text(body: "Waar blijft mijn bestelling?"))
            let (_, first) = try inboundMessage(deliveries[0])
            #expect(first.referral != nil)
            guard case .image(let image) = decoded[1] else { Issue.record("not an image: \(decoded[1])"); return }
            #expect(image.caption == "Kapotte doos")
            #expect(image.sha256 == Data(SHA256.hash(data: photo)).base64EncodedString())
            #expect(simulator.mediaBytes(image.id) == photo)
            if case .video = decoded[2] {} else { Issue.record("not a video: \(decoded[2])") }
            guard case .audio(let audio) = decoded[3] else { Issue.record("not audio: \(decoded[3])"); return }
            #expect(audio.voice)
            guard case .document(let document) = decoded[4] else { Issue.record("not a document: \(decoded[4])"); return }
            #expect(document.filename == "factuur.pdf")
            if case .sticker = decoded[5] {} else { Issue.record("not a sticker: \(decoded[5])") }
            guard case .location(let latitude, let longitude, let name, _, _) = decoded[6] else { Issue.record("not a location"); return }
            #expect(latitude == 52.3731 && longitude == 4.8922 && name == "Dam")
            guard case .contacts(let cards) = decoded[7] else { Issue.record("not contacts: \(decoded[7])"); return }
            #expect(cards.count == 1)
            if case .interactive = decoded[8] {} else { Issue.record("not a button reply: \(decoded[8])") }
            if case .interactive = decoded[9] {} else { Issue.record("not a list reply: \(decoded[9])") }
            #expect(decoded[10] == .button(payload: "STOP", text: "Stop promotions"))
            #expect(decoded[11] == .reaction(messageID: "wamid.business1", emoji: "❤️"))
            guard case .reaction(_, let removed) = decoded[12] else { Issue.record("not a reaction"); return }
            #expect(removed == nil || removed == "")
            if case .unsupported = decoded[13] {} else { Issue.record("not unsupported: \(decoded[13])") }
        }
    }

    @Test func inboundMediaDownloadsWithTheClient() async throws {
        try await withSimulator { simulator, client, collector in
            let photo = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try await simulator.customer(waID: "31612345678", name: "Anna").send(.image(photo, caption: "look"))
            let (_, message) = try inboundMessage(try await collector.wait(for: 1)[0])
            guard case .image(let image) = message.content else { Issue.record("not an image"); return }
            let info = try await client.mediaInfo(id: image.id, token: business.accessToken)
            #expect(info.sha256 == SHA256.hash(data: photo).map { String(format: "%02x", $0) }.joined())
            #expect(try await client.downloadMedia(from: info.url, token: business.accessToken, maxBytes: 1 << 20) == photo)
        }
    }

    @Test func statusCallbacksFollowASend() async throws {
        try await withSimulator(configure: { $0.statusCallbacks = StatusCallbacks(sentAfter: 0, deliveredAfter: 0.05, readAfter: 0.1) }) {
            simulator, client, collector in
            try await simulator.customer(waID: "31612345678", name: "Anna").sendText("hi")
            let result = try await client.send(
                OutboundMessage(to: "31612345678", content: .text(body: "hello", previewURL: false)),
                from: business.phoneNumberID, token: business.accessToken)
            let deliveries = try await collector.wait(for: 4)
            var statuses: [MessageStatus] = []
            for delivery in deliveries.dropFirst() {
                #expect(delivery.signatureValid)
                guard case .messages(let value) = try WebhookNotification.decode(delivery.body).entries.first?.changes.first?.value else { continue }
                statuses += value.statuses
            }
            #expect(statuses.map(\.statusText) == ["sent", "delivered", "read"])
            #expect(statuses.allSatisfy { $0.id == result.messageID && $0.recipientID == "31612345678" })
            #expect(statuses.allSatisfy { $0.pricing != nil && $0.conversation?.originType == "service" })
            #expect(simulator.webhookFailures.isEmpty)
        }
    }

    @Test func statusCallbacksCanBeShuffledAndDuplicated() async throws {
        let settings = StatusCallbacks(sentAfter: 0, deliveredAfter: 0.01, readAfter: 0.02, shuffled: true, duplicates: true)
        try await withSimulator(configure: { $0.statusCallbacks = settings }) { simulator, client, collector in
            try await simulator.customer(waID: "31612345678", name: "Anna").sendText("hi")
            _ = try await client.send(
                OutboundMessage(to: "31612345678", content: .text(body: "hello", previewURL: false)),
                from: business.phoneNumberID, token: business.accessToken)
            let deliveries = try await collector.wait(for: 7)
            var names: [String] = []
            for delivery in deliveries.dropFirst() {
                guard case .messages(let value) = try WebhookNotification.decode(delivery.body).entries.first?.changes.first?.value else { continue }
                names += value.statuses.map(\.statusText)
            }
            #expect(names.sorted() == ["delivered", "delivered", "read", "read", "sent", "sent"])
        }
    }

    @Test func aWrongSignatureIsRefusedByTheApp() async throws {
        try await withSimulator { simulator, _, collector in
            let body = Data(#"{"object":"whatsapp_business_account","entry":[]}"#.utf8)
            let signed = try await simulator.postWebhook(body)
            let zeros = try await simulator.postWebhook(body, signature: "sha256=" + String(repeating: "0", count: 64))
            let otherSecret = try await simulator.postWebhook(body, signature: WebhookSender.signature(of: body, appSecret: "another-secret"))
            #expect([signed.code, zeros.code, otherSecret.code] == [200, 401, 401])
            #expect(simulator.signature(of: body) == WebhookSignature.header(body: body, appSecret: appSecret))
            #expect(collector.all.map(\.signatureValid) == [true, false, false])
        }
    }

    @Test func aRejectingEndpointSurfacesAsAnError() async throws {
        try await withSimulator { simulator, _, collector in
            simulator.setWebhookURL(collector.url.deletingLastPathComponent().appendingPathComponent("missing"))
            await #expect(throws: SimulatorError.webhookRejected(status: 404)) {
                try await simulator.customer(waID: "31612345678", name: "Anna").sendText("hi")
            }
        }
    }

    @Test func demoCustomersKeepTheInboxAlive() async throws {
        try await withSimulator { simulator, _, collector in
            let demo = DemoCustomers(simulator: simulator, messagesPerMinute: 1200)
            demo.start()
            #expect(demo.isRunning)
            let deliveries = try await collector.wait(for: 5, timeout: 10)
            demo.stop()
            #expect(!demo.isRunning)
            for delivery in deliveries {
                #expect(delivery.signatureValid)
                guard case .messages(let value) = try WebhookNotification.decode(delivery.body).entries.first?.changes.first?.value else {
                    Issue.record("not a messages webhook")
                    continue
                }
                #expect(value.messages.count == 1)
                #expect(DemoCustomers.defaultPersonas.contains { $0.waID == value.contacts.first?.waID })
            }
            let settled = collector.all.count
            try await Task.sleep(for: .milliseconds(300))
            #expect(collector.all.count <= settled + 1)
        }
    }
}
