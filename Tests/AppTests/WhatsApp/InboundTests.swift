@testable import App
import Crypto
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
import WhatsAppSimulator

/// Customers writing in: every message type of the Cloud API, stored with its content, in the right
/// contact and conversation, with the 24-hour window and media handled.
@Suite struct InboundTests {
    typealias Sent = WhatsAppSimulator.InboundContent

    @Test func everyMessageTypeIsStoredWithItsContent() async throws {
        try await WhatsAppHarness.run { harness in
            let jan = harness.customer()
            let photo = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let text = try await jan.sendText("Hoi! Hebben jullie nog speltbrood?")
            let image = try await jan.send(.image(photo, caption: "Deze bedoel ik"))
            let voice = try await jan.send(.audio(Data([1, 2, 3, 4]), voice: true))
            let document = try await jan.send(.document(Data("%PDF-1.4 bestelling".utf8), filename: "bestelling.pdf", caption: "Mijn bestelling"))
            let sticker = try await jan.send(.sticker(Data([0x52, 0x49, 0x46, 0x46])))
            let video = try await jan.send(.video(Data(repeating: 7, count: 2048)))
            let location = try await jan.send(.location(latitude: 52.3731, longitude: 4.8922, name: "Dam", address: "Dam 1, Amsterdam"))
            let card = try await jan.send(.contacts([.init(formattedName: "Piet Bakker", phone: "+31 6 1111 2222", waID: "31611112222")]))
            let button = try await jan.send(.buttonReply(id: "pickup", title: "Ophalen"))
            let row = try await jan.send(.listReply(id: "rye", title: "Roggebrood", description: "Vers"))
            let quickReply = try await jan.send(.templateButton(payload: "STOP_PROMOS", text: "Stop promoties"))
            let reply = try await jan.sendText("En nog een croissant", replyingTo: text)
            let reaction = try await jan.react(to: text, with: "👍")
            let removal = try await jan.removeReaction(from: text)
            let unsupported = try await jan.send(.unsupported)
            let fromAd = try await jan.send(
                .text("Ik zag jullie advertentie"),
                referral: .init(
                    sourceURL: "https://fb.me/abc", sourceID: "120", headline: "Vers brood elke dag", body: "Bestel nu"))

            #expect(try await harness.stored(text).body == "Hoi! Hebben jullie nog speltbrood?")
            let storedImage = try await harness.stored(image)
            #expect(storedImage.kind == "image")
            #expect(storedImage.body == "Deze bedoel ik")
            #expect(storedImage.mediaMimeType == "image/jpeg")
            let storedVoice = try await harness.stored(voice)
            #expect(storedVoice.kind == "audio")
            #expect(MessageContent.parse(storedVoice.content).voice == true)
            let storedDocument = try await harness.stored(document)
            #expect(storedDocument.mediaFilename == "bestelling.pdf")
            #expect(storedDocument.body == "Mijn bestelling")
            #expect(try await harness.stored(sticker).kind == "sticker")
            #expect(try await harness.stored(video).kind == "video")
            let place = try #require(MessageContent.parse(try await harness.stored(location).content).location)
            #expect(place.latitude == 52.3731 && place.longitude == 4.8922 && place.name == "Dam" && place.address == "Dam 1, Amsterdam")
            let cards = try #require(MessageContent.parse(try await harness.stored(card).content).contacts)
            #expect(cards.first?.name == "Piet Bakker")
            #expect(cards.first?.phones == ["+31 6 1111 2222"])
            #expect(MessageContent.parse(try await harness.stored(button).content).choice == .init(id: "pickup", title: "Ophalen"))
            #expect(MessageContent.parse(try await harness.stored(row).content).choice == .init(id: "rye", title: "Roggebrood", description: "Vers"))
            let storedQuickReply = MessageContent.parse(try await harness.stored(quickReply).content)
            #expect(storedQuickReply.payload == "STOP_PROMOS" && storedQuickReply.text == "Stop promoties")
            #expect(try await harness.stored(reply).replyToWamid == text)
            #expect(MessageContent.parse(try await harness.stored(reaction).content).reaction == .init(messageID: text, emoji: "👍"))
            #expect(MessageContent.parse(try await harness.stored(removal).content).reaction == .init(messageID: text, emoji: nil))
            let storedUnsupported = try await harness.stored(unsupported)
            #expect(storedUnsupported.kind == "unsupported")
            #expect(storedUnsupported.raw?.contains("unsupported") == true)
            let referral = try #require(MessageContent.parse(try await harness.stored(fromAd).content).referral)
            #expect(referral.headline == "Vers brood elke dag" && referral.sourceURL == "https://fb.me/abc")

            // One contact, one conversation, reactions not counted as unread news.
            let contacts = try await harness.scope.query(Contact.self).all()
            #expect(contacts.count == 1)
            #expect(contacts.first?.profileName == "Jan Jansen")
            #expect(contacts.first?.userID == jan.userID)
            let conversation = try #require(try await harness.conversation(with: jan.waID))
            #expect(conversation.unreadCount == 14)
            #expect(conversation.lastInboundAt == harness.clock.now)

            // The thread page shows them all, the unsupported one as such.
            let page = try await harness.owner.get("/inbox/\(conversation.id!)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Hoi! Hebben jullie nog speltbrood?"))
            #expect(page.body.string.contains("not supported yet"))
            #expect(page.body.string.contains("Dam 1, Amsterdam"))
        }
    }

    @Test func mediaIsDownloadedCheckedAndServedOnlyToTheOrganization() async throws {
        try await WhatsAppHarness.run { harness in
            let bytes = Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
            let wamid = try await harness.customer().send(.image(bytes, mimeType: "image/png"))
            var message = try await harness.stored(wamid)
            try await harness.eventually("media stored") {
                try await harness.message(wamid: wamid)?.mediaState == .stored
            }
            message = try #require(try await harness.message(wamid: wamid))
            #expect(message.mediaSize == Int64(bytes.count))
            let served = try await harness.owner.get("/media/\(message.id!)")
            #expect(served.status == .ok)
            #expect(Data(buffer: served.body) == bytes)
            #expect(served.headers.first(name: .contentType) == "image/png")
            #expect(served.headers.first(name: "X-Content-Type-Options") == "nosniff")

            // Another organization's member and an anonymous visitor get nothing.
            let other = try await harness.test.signUp(name: "Eve", organization: "Elsewhere", email: "eve@example.com")
            #expect(try await other.get("/media/\(message.id!)").status == .notFound)
            let anonymous = try await harness.test.browser().get("/media/\(message.id!)")
            #expect(anonymous.status != .ok)
        }
    }

    @Test func aFailedMediaDownloadIsRetriedAndTheMessageIsKeptMeanwhile() async throws {
        try await WhatsAppHarness.run { harness in
            harness.simulator.failNextMediaDownloads(2)
            let wamid = try await harness.customer().send(.document(Data("invoice".utf8), filename: "invoice.pdf"))
            let message = try await harness.stored(wamid)
            #expect(message.mediaState == .pending)
            // Retries wait with backoff on the job clock: move it along until the download succeeds.
            try await harness.eventually("media stored after retries", timeout: .seconds(30)) {
                harness.clock.advance(by: 30)
                return try await harness.message(wamid: wamid)?.mediaState == .stored
            }
            let stored = try await harness.owner.get("/media/\(message.id!)")
            #expect(stored.body.string == "invoice")
        }
    }

    @Test func aResolvedConversationIsReopenedByANewMessage() async throws {
        try await WhatsAppHarness.run { harness in
            let jan = harness.customer()
            _ = try await harness.stored(try await jan.sendText("Eerste vraag"))
            let conversation = try #require(try await harness.conversation(with: jan.waID))
            conversation.status = .resolved
            try await conversation.save(on: harness.db)
            harness.clock.advance(by: 3600)
            _ = try await harness.stored(try await jan.sendText("Nog een vraag"))
            let reopened = try #require(try await harness.conversation(with: jan.waID))
            #expect(reopened.id == conversation.id)
            #expect(reopened.status == .open)
            #expect(reopened.lastInboundAt == harness.clock.now)
            #expect(reopened.lastMessagePreview == "Nog een vraag")
        }
    }

    @Test func severalEntriesAndChangesInOnePostAreAllHandled() async throws {
        try await WhatsAppHarness.run { harness in
            let now = harness.clock.now
            func message(_ id: String, _ from: String, _ body: String) -> String {
                #"{"from":"\#(from)","id":"\#(id)","timestamp":"\#(Int(now.timeIntervalSince1970))","type":"text","text":{"body":"\#(body)"}}"#
            }
            let changeA = WebhookFixtures.messagesChange(
                contacts: "[\(WebhookFixtures.contact("31600000001", name: "A"))]", messages: "[\(message("wamid.A1", "31600000001", "een"))]")
            let changeB = WebhookFixtures.messagesChange(
                contacts: "[\(WebhookFixtures.contact("31600000002", name: "B"))]", messages: "[\(message("wamid.B1", "31600000002", "twee"))]")
            let changeC = WebhookFixtures.messagesChange(
                contacts: "[\(WebhookFixtures.contact("31600000003", name: "C"))]", messages: "[\(message("wamid.C1", "31600000003", "drie"))]")
            let unknownField = #"{"field":"some_future_field","value":{"anything":[1,2,3]}}"#
            let body =
                #"{"object":"whatsapp_business_account","entry":[{"id":"\#(WebhookFixtures.wabaID)","changes":[\#(changeA),\#(unknownField),\#(changeB)]},{"id":"\#(WebhookFixtures.wabaID)","changes":[\#(changeC)]}]}"#
            #expect(try await harness.postWebhook(body).status == .ok)
            for id in ["wamid.A1", "wamid.B1", "wamid.C1"] { _ = try await harness.stored(id) }
            #expect(try await harness.scope.query(Conversation.self).count() == 3)
            try await harness.eventually("event processed") {
                try await WebhookEvent.query(on: harness.db).filter(\.$state == .processed).first()?.error?.contains("some_future_field") == true
            }
        }
    }

    @Test func aMalformedMessageIsKeptAsUnsupportedBesideTheGoodOnes() async throws {
        try await WhatsAppHarness.run { harness in
            let now = Int(harness.clock.now.timeIntervalSince1970)
            let good = #"{"from":"31600000009","id":"wamid.GOOD","timestamp":"\#(now)","type":"text","text":{"body":"goed"}}"#
            let bad = #"{"from":"31600000009","id":"wamid.BAD","timestamp":"\#(now)","type":"location","location":{"latitude":"north"}}"#
            let body = WebhookFixtures.envelope([
                WebhookFixtures.messagesChange(contacts: "[\(WebhookFixtures.contact("31600000009", name: "Z"))]", messages: "[\(bad),\(good)]")
            ])
            #expect(try await harness.postWebhook(body).status == .ok)
            #expect(try await harness.stored("wamid.GOOD").body == "goed")
            let kept = try await harness.stored("wamid.BAD")
            #expect(kept.kind == "unsupported")
            #expect(kept.raw?.contains("north") == true)
        }
    }
}
