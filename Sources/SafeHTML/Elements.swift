/// The elements the pages use, by their HTML names. Each takes its attributes and content as nodes.
public extension Node {
    // Document
    static func head(_ nodes: Node...) -> Node { .element(named: "head", nodes: nodes) }
    static func body(_ nodes: Node...) -> Node { .element(named: "body", nodes: nodes) }
    static func title(_ text: String) -> Node { .element(named: "title", text: text) }
    static func meta(_ nodes: Node...) -> Node { .element(named: "meta", nodes: nodes) }
    static func link(_ nodes: Node...) -> Node { .element(named: "link", nodes: nodes) }
    static func stylesheet(_ url: String) -> Node { .link(.attribute(named: "rel", value: "stylesheet"), .href(url)) }
    static func script(_ nodes: Node...) -> Node { .element(named: "script", nodes: nodes) }

    // Sections
    static func header(_ nodes: Node...) -> Node { .element(named: "header", nodes: nodes) }
    static func footer(_ nodes: Node...) -> Node { .element(named: "footer", nodes: nodes) }
    static func main(_ nodes: Node...) -> Node { .element(named: "main", nodes: nodes) }
    static func nav(_ nodes: Node...) -> Node { .element(named: "nav", nodes: nodes) }
    static func section(_ nodes: Node...) -> Node { .element(named: "section", nodes: nodes) }
    static func article(_ nodes: Node...) -> Node { .element(named: "article", nodes: nodes) }
    static func aside(_ nodes: Node...) -> Node { .element(named: "aside", nodes: nodes) }
    static func details(_ nodes: Node...) -> Node { .element(named: "details", nodes: nodes) }
    static func summary(_ nodes: Node...) -> Node { .element(named: "summary", nodes: nodes) }
    static func h1(_ nodes: Node...) -> Node { .element(named: "h1", nodes: nodes) }
    static func h2(_ nodes: Node...) -> Node { .element(named: "h2", nodes: nodes) }
    static func h3(_ nodes: Node...) -> Node { .element(named: "h3", nodes: nodes) }
    static func h4(_ nodes: Node...) -> Node { .element(named: "h4", nodes: nodes) }

    // Text
    static func div(_ nodes: Node...) -> Node { .element(named: "div", nodes: nodes) }
    static func p(_ nodes: Node...) -> Node { .element(named: "p", nodes: nodes) }
    static func span(_ nodes: Node...) -> Node { .element(named: "span", nodes: nodes) }
    static func a(_ nodes: Node...) -> Node { .element(named: "a", nodes: nodes) }
    static func strong(_ nodes: Node...) -> Node { .element(named: "strong", nodes: nodes) }
    static func em(_ nodes: Node...) -> Node { .element(named: "em", nodes: nodes) }
    static func small(_ nodes: Node...) -> Node { .element(named: "small", nodes: nodes) }
    static func code(_ nodes: Node...) -> Node { .element(named: "code", nodes: nodes) }
    static func pre(_ nodes: Node...) -> Node { .element(named: "pre", nodes: nodes) }
    static func blockquote(_ nodes: Node...) -> Node { .element(named: "blockquote", nodes: nodes) }
    static func time(_ nodes: Node...) -> Node { .element(named: "time", nodes: nodes) }
    static func br() -> Node { .element(named: "br") }
    static func hr() -> Node { .element(named: "hr") }

    // Lists and tables
    static func ul(_ nodes: Node...) -> Node { .element(named: "ul", nodes: nodes) }
    static func ol(_ nodes: Node...) -> Node { .element(named: "ol", nodes: nodes) }
    static func li(_ nodes: Node...) -> Node { .element(named: "li", nodes: nodes) }
    static func dl(_ nodes: Node...) -> Node { .element(named: "dl", nodes: nodes) }
    static func dt(_ nodes: Node...) -> Node { .element(named: "dt", nodes: nodes) }
    static func dd(_ nodes: Node...) -> Node { .element(named: "dd", nodes: nodes) }
    static func table(_ nodes: Node...) -> Node { .element(named: "table", nodes: nodes) }
    static func caption(_ nodes: Node...) -> Node { .element(named: "caption", nodes: nodes) }
    static func thead(_ nodes: Node...) -> Node { .element(named: "thead", nodes: nodes) }
    static func tbody(_ nodes: Node...) -> Node { .element(named: "tbody", nodes: nodes) }
    static func tr(_ nodes: Node...) -> Node { .element(named: "tr", nodes: nodes) }
    static func th(_ nodes: Node...) -> Node { .element(named: "th", nodes: nodes) }
    static func td(_ nodes: Node...) -> Node { .element(named: "td", nodes: nodes) }

    // Forms
    static func form(_ nodes: Node...) -> Node { .element(named: "form", nodes: nodes) }
    static func fieldset(_ nodes: Node...) -> Node { .element(named: "fieldset", nodes: nodes) }
    static func legend(_ nodes: Node...) -> Node { .element(named: "legend", nodes: nodes) }
    static func label(_ nodes: Node...) -> Node { .element(named: "label", nodes: nodes) }
    static func input(_ nodes: Node...) -> Node { .element(named: "input", nodes: nodes) }
    static func button(_ nodes: Node...) -> Node { .element(named: "button", nodes: nodes) }
    static func select(_ nodes: Node...) -> Node { .element(named: "select", nodes: nodes) }
    static func option(_ nodes: Node...) -> Node { .element(named: "option", nodes: nodes) }
    static func textarea(_ nodes: Node...) -> Node { .element(named: "textarea", nodes: nodes) }
    static func progress(_ nodes: Node...) -> Node { .element(named: "progress", nodes: nodes) }

    // Media
    static func img(_ nodes: Node...) -> Node { .element(named: "img", nodes: nodes) }
    static func audio(_ nodes: Node...) -> Node { .element(named: "audio", nodes: nodes) }
    static func video(_ nodes: Node...) -> Node { .element(named: "video", nodes: nodes) }
}
