import Foundation
import Testing
import WhatsAppCloud

@Suite struct OutboundMessageTests {
    let to = "16505551234"
    let mediaURL = URL(string: "https://cdn.example.com/box.jpg")!

    func body(_ content: OutboundContent, replyTo: String? = nil, callback: String? = nil) throws -> NSDictionary {
        let message = OutboundMessage(to: to, content: content, replyTo: replyTo, bizOpaqueCallbackData: callback)
        try message.validate()
        return try jsonObject(message.jsonBody())
    }

    func envelope(_ type: String, _ payload: String, extra: String = "") -> String {
        #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"\#(type)","\#(type)":\#(payload)\#(extra)}"#
    }

    @Test func text() throws {
        #expect(
            try body(.text(body: "Hello https://example.com", previewURL: true))
                == jsonObject(envelope("text", #"{"body":"Hello https://example.com","preview_url":true}"#)))
    }

    @Test func replyAndCallbackData() throws {
        let expected = envelope(
            "text", #"{"body":"Yes","preview_url":false}"#,
            extra: #","context":{"message_id":"wamid.ABC"},"biz_opaque_callback_data":"conv-9""#)
        #expect(try body(.text(body: "Yes", previewURL: false), replyTo: "wamid.ABC", callback: "conv-9") == jsonObject(expected))
    }

    @Test func media() throws {
        #expect(
            try body(.image(.id("1003383421387256"), caption: "Your box")) == jsonObject(envelope("image", #"{"id":"1003383421387256","caption":"Your box"}"#)))
        #expect(try body(.image(.link(mediaURL), caption: nil)) == jsonObject(envelope("image", #"{"link":"https://cdn.example.com/box.jpg"}"#)))
        #expect(try body(.video(.id("42"), caption: "Clip")) == jsonObject(envelope("video", #"{"id":"42","caption":"Clip"}"#)))
        #expect(try body(.audio(.id("43"))) == jsonObject(envelope("audio", #"{"id":"43"}"#)))
        #expect(try body(.sticker(.id("44"))) == jsonObject(envelope("sticker", #"{"id":"44"}"#)))
        #expect(
            try body(.document(.id("45"), caption: "Invoice", filename: "invoice.pdf"))
                == jsonObject(envelope("document", #"{"id":"45","caption":"Invoice","filename":"invoice.pdf"}"#)))
    }

    @Test func location() throws {
        #expect(
            try body(.location(latitude: 37.483307, longitude: -122.148981, name: "Meta", address: "1 Hacker Way"))
                == jsonObject(envelope("location", #"{"latitude":37.483307,"longitude":-122.148981,"name":"Meta","address":"1 Hacker Way"}"#)))
    }

    @Test func reactionAndRemoval() throws {
        #expect(try body(.reaction(messageID: "wamid.X", emoji: "😀")) == jsonObject(envelope("reaction", #"{"message_id":"wamid.X","emoji":"😀"}"#)))
        #expect(try body(.reaction(messageID: "wamid.X", emoji: "")) == jsonObject(envelope("reaction", #"{"message_id":"wamid.X","emoji":""}"#)))
    }

    @Test func interactiveButtons() throws {
        let buttons = InteractiveButtons(
            header: .image(.id("2762702990552401")), body: "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow.",
            footer: "Lucky Shrub", buttons: [.init(id: "change-button", title: "Change"), .init(id: "cancel-button", title: "Cancel")])
        let expected = envelope(
            "interactive",
            #"""
            {"type":"button","header":{"type":"image","image":{"id":"2762702990552401"}},
             "body":{"text":"Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow."},"footer":{"text":"Lucky Shrub"},
             "action":{"buttons":[{"type":"reply","reply":{"id":"change-button","title":"Change"}},{"type":"reply","reply":{"id":"cancel-button","title":"Cancel"}}]}}
            """#)
        #expect(try body(.interactiveButtons(buttons)) == jsonObject(expected))
    }

    @Test func interactiveList() throws {
        let list = InteractiveList(
            header: "Choose Shipping Option", body: "Which shipping option do you prefer?", footer: "Lucky Shrub", buttonLabel: "Shipping Options",
            sections: [
                .init(title: "I want it ASAP!", rows: [.init(id: "priority_express", title: "Priority Mail Express", description: "Next Day to 2 Days")]),
                .init(title: "I can wait a bit", rows: [.init(id: "usps_ground", title: "USPS Ground Advantage")]),
            ])
        let expected = envelope(
            "interactive",
            #"""
            {"type":"list","header":{"type":"text","text":"Choose Shipping Option"},"body":{"text":"Which shipping option do you prefer?"},
             "footer":{"text":"Lucky Shrub"},"action":{"button":"Shipping Options","sections":[
               {"title":"I want it ASAP!","rows":[{"id":"priority_express","title":"Priority Mail Express","description":"Next Day to 2 Days"}]},
               {"title":"I can wait a bit","rows":[{"id":"usps_ground","title":"USPS Ground Advantage"}]}]}}
            """#)
        #expect(try body(.interactiveList(list)) == jsonObject(expected))
    }

    @Test func templateWithPositionalParameters() throws {
        let template = TemplateMessage(
            name: "order_update", languageCode: "en_US", header: .image(.link(mediaURL)),
            body: [.text("Pablo"), .text("#1234"), .init(value: .currency(fallback: "$12.50", code: "USD", amount1000: 12500))],
            buttons: [.init(index: 0, kind: .url(suffix: "order/1234")), .init(index: 1, kind: .quickReply(payload: "STOP_PROMOS"))])
        let expected = envelope(
            "template",
            #"""
            {"name":"order_update","language":{"code":"en_US"},"components":[
              {"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.com/box.jpg"}}]},
              {"type":"body","parameters":[{"type":"text","text":"Pablo"},{"type":"text","text":"#1234"},
                 {"type":"currency","currency":{"fallback_value":"$12.50","code":"USD","amount_1000":12500}}]},
              {"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"order/1234"}]},
              {"type":"button","sub_type":"quick_reply","index":"1","parameters":[{"type":"payload","payload":"STOP_PROMOS"}]}]}
            """#)
        #expect(try body(.template(template)) == jsonObject(expected))
    }

    @Test func templateWithNamedParameters() throws {
        let template = TemplateMessage(
            name: "order_confirmation", languageCode: "nl", header: .text(.text("Lucky Shrub", name: "shop")),
            body: [.text("Jessica", name: "first_name"), .text("SKBUP2-4CPIG9", name: "order_number")],
            buttons: [.init(index: 0, kind: .copyCode("SAVE20")), .init(index: 1, kind: .flow(token: "unused", actionData: ["step": "start"]))])
        let expected = envelope(
            "template",
            #"""
            {"name":"order_confirmation","language":{"code":"nl"},"components":[
              {"type":"header","parameters":[{"type":"text","text":"Lucky Shrub","parameter_name":"shop"}]},
              {"type":"body","parameters":[{"type":"text","text":"Jessica","parameter_name":"first_name"},
                 {"type":"text","text":"SKBUP2-4CPIG9","parameter_name":"order_number"}]},
              {"type":"button","sub_type":"copy_code","index":"0","parameters":[{"type":"coupon_code","coupon_code":"SAVE20"}]},
              {"type":"button","sub_type":"flow","index":"1","parameters":[{"type":"action","action":{"flow_token":"unused","flow_action_data":{"step":"start"}}}]}]}
            """#)
        #expect(try body(.template(template)) == jsonObject(expected))
    }

    @Test func templateWithoutParametersHasNoComponents() throws {
        #expect(
            try body(.template(TemplateMessage(name: "hello_world", languageCode: "en_US")))
                == jsonObject(envelope("template", #"{"name":"hello_world","language":{"code":"en_US"}}"#)))
    }
}
