import Foundation
import Testing
import WhatsAppCloud

@Suite struct TemplateDefinitionTests {
    let positional = TemplateDefinition(
        name: "seasonal_promotion", language: "en_US", category: .marketing,
        header: .text("Our {{1}} is on!", example: .init(value: "Summer Sale")),
        body: .init(
            text: "Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise.",
            examples: [.init(value: "the end of August"), .init(value: "25OFF"), .init(value: "25%")]),
        footer: "Use the buttons below to manage your marketing subscriptions",
        buttons: [
            .quickReply(text: "Unsubscribe from Promos"),
            .url(text: "Shop", url: "https://www.luckyshrub.com/shop?promo={{1}}", example: "https://www.luckyshrub.com/shop?promo=summer"),
            .phoneNumber(text: "Call us", phoneNumber: "+15550783881"), .copyCode(example: "25OFF"),
        ])

    @Test func positionalJSON() throws {
        try positional.validate()
        let expected = #"""
            {"name":"seasonal_promotion","language":"en_US","category":"MARKETING","parameter_format":"positional","components":[
              {"type":"HEADER","format":"TEXT","text":"Our {{1}} is on!","example":{"header_text":["Summer Sale"]}},
              {"type":"BODY","text":"Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise.",
               "example":{"body_text":[["the end of August","25OFF","25%"]]}},
              {"type":"FOOTER","text":"Use the buttons below to manage your marketing subscriptions"},
              {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Unsubscribe from Promos"},
                {"type":"URL","text":"Shop","url":"https://www.luckyshrub.com/shop?promo={{1}}","example":["https://www.luckyshrub.com/shop?promo=summer"]},
                {"type":"PHONE_NUMBER","text":"Call us","phone_number":"+15550783881"},{"type":"COPY_CODE","example":"25OFF"}]}]}
            """#
        #expect(try jsonObject(positional.jsonBody()) == jsonObject(expected))
    }

    @Test func namedJSON() throws {
        let named = TemplateDefinition(
            name: "order_confirmation", language: "en_US", category: .utility, parameterFormat: .named,
            header: .image(exampleHandle: "4::aW1hZ2UvanBlZw==:ARZ"),
            body: .init(
                text: "Thank you, {{first_name}}! Your order {{order_number}} is confirmed.",
                examples: [.init(name: "first_name", value: "Pablo"), .init(name: "order_number", value: "860198-230332")]))
        try named.validate()
        let expected = #"""
            {"name":"order_confirmation","language":"en_US","category":"UTILITY","parameter_format":"named","components":[
              {"type":"HEADER","format":"IMAGE","example":{"header_handle":["4::aW1hZ2UvanBlZw==:ARZ"]}},
              {"type":"BODY","text":"Thank you, {{first_name}}! Your order {{order_number}} is confirmed.",
               "example":{"body_text_named_params":[{"param_name":"first_name","example":"Pablo"},{"param_name":"order_number","example":"860198-230332"}]}}]}
            """#
        #expect(try jsonObject(named.jsonBody()) == jsonObject(expected))
    }

    func problem(_ change: (inout TemplateDefinition) -> Void) -> WhatsAppValidationError? {
        var definition = positional
        change(&definition)
        do { try definition.validate(); return nil } catch { return error }
    }

    @Test func validation() {
        #expect(problem { $0.name = "Seasonal Promo" }?.field == "name")
        #expect(problem { $0.name = String(repeating: "a", count: 513) }?.field == "name")
        #expect(problem { $0.body.text = "" }?.field == "components.BODY.text")
        #expect(problem { $0.body.examples = [] }?.field == "components.BODY.example")
        #expect(problem { $0.body.examples.removeLast() }?.problem.contains("3 variables, 2 examples") == true)
        #expect(
            problem {
                $0.body.text = "Shop through {{1}} with {{3}} off."; $0.body.examples = [.init(value: "a"), .init(value: "b")]
            }?.field
                == "components.BODY.text")
        #expect(
            problem {
                $0.body.text = "{{1}} is ready"; $0.body.examples = [.init(value: "a")]
            }?.problem.contains("start or end") == true)
        #expect(problem { $0.header = .text("Our {{1}} is on!", example: nil) }?.field == "components.HEADER.example")
        #expect(problem { $0.header = .text("{{1}} and {{2}}", example: .init(value: "a")) }?.field == "components.HEADER.text")
        #expect(problem { $0.footer = "Hi {{1}}" }?.field == "components.FOOTER.text")
        #expect(problem { $0.buttons = [.url(text: "Shop", url: "https://x.example/{{1}}", example: nil)] }?.field == "components.BUTTONS.buttons[0].example")
        #expect(problem { $0.buttons = [.quickReply(text: String(repeating: "q", count: 26))] }?.field == "components.BUTTONS.buttons[0].text")
        #expect(problem { $0.buttons = Array(repeating: .quickReply(text: "Yes"), count: 11) }?.field == "components.BUTTONS")
        #expect(problem { $0.buttons = [.copyCode(example: String(repeating: "9", count: 16))] }?.field == "components.BUTTONS.buttons[0].example")
        #expect(problem { _ in } == nil)
    }

    @Test func namedValidation() {
        var named = TemplateDefinition(
            name: "welcome", language: "nl", category: .marketing, parameterFormat: .named,
            body: .init(text: "Hallo {{first_name}}, welkom!", examples: [.init(name: "voornaam", value: "Jan")]))
        #expect(throws: WhatsAppValidationError.self) { try named.validate() }
        named.body.examples = [.init(name: "first_name", value: "Jan")]
        #expect(throws: Never.self) { try named.validate() }
        named.body.text = "Hallo {{First Name}}, welkom!"
        #expect(throws: WhatsAppValidationError.self) { try named.validate() }
    }
}
