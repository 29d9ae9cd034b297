import Foundation
import Testing
import WhatsAppCloud

@Suite struct InboundMessageDecodingTests {
    @Test func text() throws {
        let notification = try Fixture.notification("message_text")
        #expect(notification.object == "whatsapp_business_account")
        #expect(notification.entries.count == 1)
        #expect(notification.entries[0].id == "102290129340398")
        let change = notification.entries[0].changes[0]
        #expect(change.field == "messages")
        let value = try Fixture.messagesValue("message_text")
        #expect(value.metadata == .init(displayPhoneNumber: "15550783881", phoneNumberID: "106540352242922"))
        #expect(value.contacts == [WebhookContact(name: "Sheena Nelson", waID: "16505551234", userID: "US.13491208655302741918")])
        let message = try #require(value.messages.first)
        #expect(message.id.hasPrefix("wamid."))
        #expect(message.from == "16505551234")
        #expect(message.timestamp == Date(timeIntervalSince1970: 1_749_416_383))
        #expect(message.type == "text")
        #expect(message.content == .text(body: "Does it come in another color?"))
        #expect(message.context == nil)
        #expect(message.referral == nil)
        #expect(message.decodingError == nil)
        #expect(message.raw["text"]?["body"] == .string("Does it come in another color?"))
        #expect(value.statuses.isEmpty)
    }

    @Test func image() throws {
        let message = try Fixture.message("message_image")
        #expect(
            message.content
                == .image(
                    InboundMedia(
                        id: "1003383421387256", mimeType: "image/jpeg", sha256: "Wh/IxR1e4nFuUhYo6g8IAeVcnqIzn2bJj2A9cTWu8Q8=",
                        caption: "Here is the damaged box")))
    }

    @Test func video() throws {
        let message = try Fixture.message("message_video")
        guard case .video(let media) = message.content else { Issue.record("not a video: \(message.content)"); return }
        #expect(media.id == "1237797727491224")
        #expect(media.mimeType == "video/mp4")
        #expect(media.caption == "Unboxing")
    }

    @Test func voiceNote() throws {
        let message = try Fixture.message("message_audio_voice")
        guard case .audio(let media) = message.content else { Issue.record("not audio: \(message.content)"); return }
        #expect(media.voice)
        #expect(media.mimeType == "audio/ogg; codecs=opus")
        #expect(media.id == "1063558495593474")
    }

    @Test func document() throws {
        let message = try Fixture.message("message_document")
        guard case .document(let media) = message.content else { Issue.record("not a document: \(message.content)"); return }
        #expect(media.filename == "invoice-2026-03.pdf")
        #expect(media.caption == "Invoice March")
        #expect(media.mimeType == "application/pdf")
        #expect(!media.voice)
    }

    @Test func sticker() throws {
        let message = try Fixture.message("message_sticker")
        guard case .sticker(let media) = message.content else { Issue.record("not a sticker: \(message.content)"); return }
        #expect(media.mimeType == "image/webp")
        #expect(media.animated == false)
    }

    @Test func location() throws {
        let message = try Fixture.message("message_location")
        #expect(
            message.content
                == .location(
                    latitude: 37.483307, longitude: -122.148981, name: "Meta Headquarters", address: "1 Hacker Way, Menlo Park, CA 94025",
                    url: "https://www.meta.com"))
    }

    @Test func contacts() throws {
        let message = try Fixture.message("message_contacts")
        guard case .contacts(let cards) = message.content else { Issue.record("not contacts: \(message.content)"); return }
        let card = try #require(cards.first)
        #expect(card.name.formattedName == "Barbara J. Johnson")
        #expect(card.name.firstName == "Barbara")
        #expect(card.phones.first?.waID == "16505551234")
        #expect(card.phones.first?.phone == "+1 (650) 555-1234")
        #expect(card.emails.first?.email == "bjohnson@example.com")
        #expect(card.organization?.company == "Lucky Shrub")
        #expect(card.urls.first?.url == "https://www.luckyshrub.com")
        #expect(card.addresses.first?.countryCode == "us")
        #expect(card.birthday == "1999-01-23")
    }

    @Test func buttonReply() throws {
        let message = try Fixture.message("message_interactive_button_reply")
        #expect(message.content == .interactive(.buttonReply(id: "change-button", title: "Change")))
        #expect(message.context?.messageID == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBNjRGMDdBNEEyODM2NkZCRDkA")
    }

    @Test func listReply() throws {
        let message = try Fixture.message("message_interactive_list_reply")
        #expect(message.content == .interactive(.listReply(id: "priority_express", title: "Priority Mail Express", description: "Next Day to 2 Days")))
    }

    @Test func flowReply() throws {
        let message = try Fixture.message("message_interactive_nfm_reply")
        guard case .interactive(.flowReply(let name, let body, let responseJSON)) = message.content else {
            Issue.record("not a flow reply: \(message.content)"); return
        }
        #expect(name == "flow")
        #expect(body == "Sent")
        let response = try jsonObject(responseJSON)
        #expect(response["survey_rating"] as? String == "5")
    }

    @Test func templateQuickReplyButton() throws {
        let message = try Fixture.message("message_button")
        #expect(message.content == .button(payload: "STOP_PROMOS", text: "Stop promotions"))
        #expect(message.context?.from == "15550783881")
    }

    @Test func reactionAndRemoval() throws {
        let reaction = try Fixture.message("message_reaction")
        #expect(reaction.content == .reaction(messageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBNjRGMDdBNEEyODM2NkZCRDkE", emoji: "👍"))
        let removed = try Fixture.message("message_reaction_removed")
        #expect(removed.content == .reaction(messageID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBNjRGMDdBNEEyODM2NkZCRDkE", emoji: nil))
    }

    @Test func order() throws {
        let message = try Fixture.message("message_order")
        guard case .order(let order) = message.content else { Issue.record("not an order: \(message.content)"); return }
        #expect(order.catalogID == "194836987003835")
        #expect(order.text == "Please deliver after 5pm")
        #expect(order.productItems.count == 2)
        #expect(order.productItems[0].productRetailerID == "di9ozbzfi4")
        #expect(order.productItems[0].quantity == 2)
        #expect(order.productItems[0].itemPrice == 30.5)
        #expect(order.productItems[1].currency == "USD")
    }

    @Test func system() throws {
        let value = try Fixture.messagesValue("message_system")
        #expect(value.contacts.isEmpty)
        #expect(
            value.messages.first?.content
                == .system(
                    body: "User Sheena Nelson changed from 16505551234 to 16505559999", kind: "user_changed_number", newWaID: "16505559999"))
    }

    @Test func unsupportedFromMeta() throws {
        let message = try Fixture.message("message_unsupported")
        #expect(message.content == .unsupported(type: "unsupported"))
        #expect(message.errors.first?.code == 131051)
        #expect(message.errors.first?.details == "Message type is currently not supported.")
        #expect(message.decodingError == nil)
    }

    @Test func unknownFutureTypeKeepsRawJSON() throws {
        let message = try Fixture.message("message_unknown_type")
        #expect(message.content == .unsupported(type: "hologram"))
        #expect(message.type == "hologram")
        #expect(message.from == "16505551234")
        #expect(message.raw["hologram"]?["projection_id"] == .string("88"))
        #expect(message.raw["hologram"]?["duration_seconds"] == .number(3))
    }

    @Test func replyWithContext() throws {
        let message = try Fixture.message("message_reply_with_context")
        #expect(message.content == .text(body: "Yes, the blue one please"))
        let context = try #require(message.context)
        #expect(context.messageID == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBNjRGMDdBNEEyODM2NkZCRDkF")
        #expect(context.from == "15550783881")
        #expect(!context.forwarded)
    }

    @Test func forwarded() throws {
        let message = try Fixture.message("message_forwarded")
        let context = try #require(message.context)
        #expect(context.forwarded)
        #expect(context.frequentlyForwarded)
        #expect(context.messageID == nil)
    }

    @Test func clickToWhatsAppReferral() throws {
        let message = try Fixture.message("message_referral")
        let referral = try #require(message.referral)
        #expect(referral.sourceURL == "https://fb.me/3cr4Wqqkv")
        #expect(referral.sourceType == "ad")
        #expect(referral.sourceID == "120226305854810726")
        #expect(referral.headline == "Chat with us")
        #expect(referral.body == "Summer sale: 20% off all shrubs")
        #expect(referral.mediaType == "image")
        #expect(referral.ctwaClid?.hasPrefix("ARAkLkA8") == true)
        #expect(referral.welcomeMessage == "Hi! How can we help you today?")
    }

    @Test func malformedMessageDoesNotSinkItsNeighbour() throws {
        let value = try Fixture.messagesValue("malformed_message")
        #expect(value.messages.count == 2)
        let bad = value.messages[0]
        #expect(bad.id == "wamid.BAD")
        #expect(bad.from == "16505551234")
        #expect(bad.content == .unsupported(type: "text"))
        #expect(bad.raw["text"]?["body"] == .number(42))
        let reason = try #require(bad.decodingError)
        #expect(reason.contains("body"))
        let good = value.messages[1]
        #expect(good.content == .text(body: "this one is fine"))
        #expect(good.decodingError == nil)
    }

    @Test func ignoresUnknownFieldsAndAcceptsNumbersForIDs() throws {
        let body = #"""
            {"object":"whatsapp_business_account","future_flag":true,"entry":[{"id":102290129340398,"changes":[{"field":"messages",
             "value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":106540352242922,"new":1},
             "messages":[{"from":"16505551234","id":"wamid.X","timestamp":1749416383,"type":"text","text":{"body":"hi","extra":[1,2]},"shiny":{}}]}}]}]}
            """#
        let notification = try WebhookNotification.decode(Data(body.utf8))
        #expect(notification.entries[0].id == "102290129340398")
        guard case .messages(let value) = notification.entries[0].changes[0].value else { Issue.record("not messages"); return }
        #expect(value.metadata.phoneNumberID == "106540352242922")
        #expect(value.messages.first?.content == .text(body: "hi"))
        #expect(value.messages.first?.timestamp == Date(timeIntervalSince1970: 1_749_416_383))
    }

    @Test func notJSONIsAClearError() {
        #expect(throws: DecodingError.self) { try WebhookNotification.decode(Data("not json".utf8)) }
        #expect(throws: DecodingError.self) { try WebhookNotification.decode(Data(#"{"entry":[]}"#.utf8)) }
    }
}
