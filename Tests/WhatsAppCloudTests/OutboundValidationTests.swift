import Foundation
import Testing
import WhatsAppCloud

@Suite struct OutboundValidationTests {
    func failure(_ content: OutboundContent, to: String = "16505551234") -> WhatsAppValidationError? {
        do {
            try OutboundMessage(to: to, content: content).validate()
            return nil
        } catch {
            return error
        }
    }

    let button = InteractiveButtons.ReplyButton(id: "ok", title: "OK")

    @Test func textLimits() {
        #expect(failure(.text(body: String(repeating: "a", count: 4096), previewURL: false)) == nil)
        #expect(failure(.text(body: String(repeating: "a", count: 4097), previewURL: false))?.field == "text.body")
        #expect(failure(.text(body: "  ", previewURL: false))?.field == "text.body")
    }

    @Test func recipient() {
        #expect(failure(.text(body: "hi", previewURL: false), to: "+31 6 1234")?.field == "to")
        #expect(failure(.text(body: "hi", previewURL: false), to: "")?.field == "to")
        #expect(failure(.text(body: "hi", previewURL: false), to: "+31612345678") == nil)
    }

    @Test func captionLimit() {
        let caption = String(repeating: "c", count: 1025)
        #expect(failure(.image(.id("1"), caption: caption))?.field == "image.caption")
        #expect(failure(.document(.id("1"), caption: caption, filename: nil))?.field == "document.caption")
        #expect(failure(.image(.id("1"), caption: String(repeating: "c", count: 1024))) == nil)
        #expect(failure(.image(.id(""), caption: nil))?.field == "image.id")
        #expect(failure(.video(.link(URL(string: "ftp://example.com/a.mp4")!), caption: nil))?.field == "video.link")
    }

    @Test func replyButtons() {
        #expect(failure(.interactiveButtons(.init(body: "Pick", buttons: [])))?.field == "interactive.action.buttons")
        #expect(
            failure(
                .interactiveButtons(.init(body: "Pick", buttons: [button, .init(id: "b", title: "B"), .init(id: "c", title: "C"), .init(id: "d", title: "D")])))?
                .field
                == "interactive.action.buttons")
        let longTitle = failure(.interactiveButtons(.init(body: "Pick", buttons: [button, .init(id: "x", title: String(repeating: "t", count: 21))])))
        #expect(longTitle?.field == "interactive.action.buttons[1].reply.title")
        #expect(longTitle?.description.contains("at most 20") == true)
        #expect(
            failure(.interactiveButtons(.init(body: "Pick", buttons: [.init(id: String(repeating: "i", count: 257), title: "T")])))?.field
                == "interactive.action.buttons[0].reply.id")
        #expect(
            failure(.interactiveButtons(.init(body: "Pick", buttons: [button, .init(id: "ok", title: "Other")])))?.field
                == "interactive.action.buttons[1].reply.id")
        #expect(
            failure(.interactiveButtons(.init(header: .text(String(repeating: "h", count: 61)), body: "Pick", buttons: [button])))?.field
                == "interactive.header.text")
        #expect(
            failure(.interactiveButtons(.init(body: "Pick", footer: String(repeating: "f", count: 61), buttons: [button])))?.field
                == "interactive.footer.text")
        #expect(failure(.interactiveButtons(.init(body: String(repeating: "b", count: 1025), buttons: [button])))?.field == "interactive.body.text")
        #expect(failure(.interactiveButtons(.init(body: "Pick", buttons: [button]))) == nil)
    }

    @Test func lists() {
        func list(_ sections: [InteractiveList.Section], label: String = "Options") -> OutboundContent {
            .interactiveList(.init(body: "Choose", buttonLabel: label, sections: sections))
        }
        let row = InteractiveList.Row(id: "r", title: "Row")
        #expect(failure(list([.init(rows: [row])])) == nil)
        #expect(failure(list([.init(rows: [row])], label: String(repeating: "l", count: 21)))?.field == "interactive.action.button")
        #expect(failure(list([]))?.field == "interactive.action.sections")
        let eleven = (0..<11).map { InteractiveList.Row(id: "r\($0)", title: "Row \($0)") }
        #expect(
            failure(list([.init(title: "A", rows: Array(eleven[0..<6])), .init(title: "B", rows: Array(eleven[6...]))]))?.problem.contains("11 rows") == true)
        #expect(failure(list([.init(rows: [row]), .init(title: "B", rows: [.init(id: "s", title: "S")])]))?.field == "interactive.action.sections[0].title")
        #expect(
            failure(list([.init(rows: [.init(id: "r", title: String(repeating: "t", count: 25))])]))?.field == "interactive.action.sections[0].rows[0].title")
        #expect(
            failure(list([.init(rows: [.init(id: "r", title: "T", description: String(repeating: "d", count: 73))])]))?.field
                == "interactive.action.sections[0].rows[0].description")
        #expect(failure(list([.init(title: "A", rows: [row]), .init(title: "B", rows: [row])]))?.field == "interactive.action.sections[1].rows[0].id")
    }

    @Test func templates() {
        #expect(failure(.template(.init(name: "", languageCode: "en")))?.field == "template.name")
        #expect(failure(.template(.init(name: "t", languageCode: "")))?.field == "template.language.code")
        #expect(failure(.template(.init(name: "t", languageCode: "en", body: [.text("a\nb")])))?.field == "template.components.body.parameters[0].text")
        #expect(
            failure(.template(.init(name: "t", languageCode: "en", body: [.text("a", name: "first"), .text("b")])))?.field
                == "template.components.body.parameters")
        #expect(
            failure(.template(.init(name: "t", languageCode: "en", body: [.text("a", name: "First Name")])))?.field
                == "template.components.body.parameters[0].parameter_name")
        #expect(
            failure(
                .template(
                    .init(
                        name: "t", languageCode: "en",
                        buttons: [.init(index: 0, kind: .quickReply(payload: "a")), .init(index: 0, kind: .quickReply(payload: "b"))])))?.field
                == "template.components.button[0]")
        #expect(
            failure(.template(.init(name: "t", languageCode: "en", buttons: [.init(index: 0, kind: .copyCode(String(repeating: "9", count: 16)))])))?.field
                == "template.components.button[0].coupon_code")
    }

    @Test func reactionAndLocation() {
        #expect(failure(.reaction(messageID: "", emoji: "👍"))?.field == "reaction.message_id")
        #expect(failure(.reaction(messageID: "wamid.X", emoji: "👍👍"))?.field == "reaction.emoji")
        #expect(failure(.reaction(messageID: "wamid.X", emoji: "👨‍👩‍👧")) == nil)  // one grapheme
        #expect(failure(.location(latitude: 91, longitude: 0, name: nil, address: nil))?.field == "location.latitude")
        #expect(failure(.location(latitude: 0, longitude: -181, name: nil, address: nil))?.field == "location.longitude")
    }

    @Test func callbackDataLimit() {
        let message = OutboundMessage(
            to: "16505551234", content: .text(body: "hi", previewURL: false), bizOpaqueCallbackData: String(repeating: "x", count: 513))
        #expect(throws: WhatsAppValidationError(field: "biz_opaque_callback_data", problem: "is 513 characters; at most 512 allowed")) {
            try message.validate()
        }
    }
}
