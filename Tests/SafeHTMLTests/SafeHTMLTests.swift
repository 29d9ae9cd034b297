import SafeHTML
import Testing

@Suite struct EscapingTests {
    @Test func textCannotOpenAnElement() {
        #expect(
            Node.p(.text("<script>alert(1)</script> & co")).render()
                == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>")
    }

    @Test func anAttributeValueCannotEndItsQuotes() {
        let hostile = #"/"><meta http-equiv="refresh" content="0;url=https://evil.example/">"#
        #expect(
            Node.input(.type(.hidden), .name("next"), .value(hostile)).render()
                == #"<input type="hidden" name="next" value="/&quot;&gt;&lt;meta http-equiv=&quot;refresh&quot; content=&quot;0;url=https://evil.example/&quot;&gt;">"#
        )
        #expect(Node.div(.data(named: "name", value: "O'Brien `x`")).render() == "<div data-name=\"O&#39;Brien `x`\"></div>")
    }

    @Test func characterReferencesAreEscapedToo() {
        // Plot left "&lt;" as it was; here the reader sees exactly what was typed.
        #expect(Node.span(.text("&lt; &#60;")).render() == "<span>&amp;lt; &amp;#60;</span>")
    }

    @Test func theEscapeFunctionCoversAllFiveCharacters() {
        #expect(HTMLEscaping.escape(#"<a href="x" title='y'>&"#) == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;")
    }

    @Test func eventHandlersAndMalformedAttributeNamesAreNeverWritten() {
        let node = Node.div(
            .attribute(named: "onclick", value: "x()"), .attribute(named: "a b", value: "c"),
            .attribute(named: "x\"y", value: "z"), .id("kept"))
        #expect(node.render() == #"<div id="kept"></div>"#)
    }
}

@Suite struct URLPolicyTests {
    @Test(arguments: [
        "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
        "java\nscript:alert(1)", "\u{01}javascript:alert(1)", "data:text/html,<script>x</script>", "vbscript:msgbox",
    ])
    func scriptSchemesAreBlocked(_ url: String) {
        #expect(URLPolicy.sanitized(url) == URLPolicy.blocked)
        #expect(Node.a(.href(url)).render() == "<a href=\"#blocked-url\"></a>")
    }

    @Test(arguments: [
        "/inbox?q=a:b", "https://example.com/x", "http://127.0.0.1:8080/", "mailto:a@example.com", "tel:+31612345678",
        "#main", "?page=2", "media/1", "./a:b",
    ])
    func ordinaryURLsAreKept(_ url: String) {
        #expect(URLPolicy.sanitized(url) == url)
    }
}

@Suite struct NodeTests {
    @Test func attributesInGroupsBelongToTheEnclosingElement() {
        let node = Node.div(.text("a"), .if(true, .class("x")), .group(.id("y"), .text("b")), .unwrap(nil as String?) { .id($0) })
        #expect(node.render() == #"<div class="x" id="y">ab</div>"#)
    }

    @Test func aLaterAttributeReplacesAnEarlierOne() {
        #expect(Node.div(.class("a"), .class("b")).render() == #"<div class="b"></div>"#)
    }

    @Test func emptyValuesAreLeftOutExceptDataAttributes() {
        #expect(
            Node.input(.value(""), .attribute(named: "aria-invalid", value: nil), .data(named: "flag", value: "")).render()
                == #"<input data-flag="">"#)
    }

    @Test func booleanAttributesAndVoidElements() {
        #expect(Node.input(.required(true), .hidden(false), .checked(true)).render() == "<input required checked>")
        #expect(Node.p(.text("a"), .br(), .text("b")).render() == "<p>a<br>b</p>")
    }

    @Test func aDocumentHasItsDoctypeAndLanguage() {
        let page = HTML(.lang("nl"), .head(.title("A & B")), .body(.p("x")))
        #expect(page.render() == #"<!DOCTYPE html><html lang="nl"><head><title>A &amp; B</title></head><body><p>x</p></body></html>"#)
    }
}
