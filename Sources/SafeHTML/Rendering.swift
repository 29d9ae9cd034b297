/// A whole page: `<!DOCTYPE html>` and the `html` element with the given children (its `lang`
/// attribute, `head` and `body`).
public struct HTML: Sendable {
    public var nodes: [Node]

    public init(_ nodes: Node...) { self.nodes = nodes }

    public func render() -> String {
        var output = "<!DOCTYPE html>"
        output.reserveCapacity(16_384)
        Node.element(named: "html", nodes: nodes).render(into: &output)
        return output
    }
}

public extension Node {
    /// This node alone as markup: for fragments and tests. Attributes outside an element are dropped.
    func render() -> String {
        var output = ""
        render(into: &output)
        return output
    }
}

extension Node {
    func render(into output: inout String) {
        switch kind {
        case .text(let text):
            HTMLEscaping.append(text, to: &output)
        case .trusted(let markup):
            output += markup
        case .group(let members):
            for member in members { member.render(into: &output) }
        case .attribute:
            break  // written by the element that holds it
        case .element(let name, let children, let isVoid):
            renderElement(name: name, children: children, isVoid: isVoid, into: &output)
        }
    }

    private func renderElement(name: String, children: [Node], isVoid: Bool, into output: inout String) {
        precondition(HTMLVocabulary.isValidName(name), "not an element name: \(name)")
        var attributes: [(name: String, value: String?)] = []
        Self.collectAttributes(children, into: &attributes)

        output += "<"
        output += name
        for (attributeName, value) in attributes {
            output += " "
            output += attributeName
            guard let value else { continue }
            output += "=\""
            HTMLEscaping.append(URLPolicy.isURLAttribute(attributeName) ? URLPolicy.sanitized(value) : value, to: &output)
            output += "\""
        }
        output += ">"
        guard !isVoid else { return }
        Self.renderContent(children, into: &output)
        output += "</"
        output += name
        output += ">"
    }

    /// An element's attributes, wherever they sit among its children (groups included), in order; a
    /// later one of the same name replaces the earlier. Attribute names that are not plain names, and
    /// event handlers (`on…`), never render.
    private static func collectAttributes(_ nodes: [Node], into attributes: inout [(name: String, value: String?)]) {
        for node in nodes {
            switch node.kind {
            case .attribute(let name, let value):
                guard HTMLVocabulary.isAllowedAttribute(name) else { continue }
                if let index = attributes.firstIndex(where: { $0.name == name }) {
                    attributes[index].value = value
                } else {
                    attributes.append((name, value))
                }
            case .group(let members):
                collectAttributes(members, into: &attributes)
            case .element, .text, .trusted:
                continue
            }
        }
    }

    /// An element's content: its children other than attributes, groups flattened, in order.
    private static func renderContent(_ nodes: [Node], into output: inout String) {
        for node in nodes {
            switch node.kind {
            case .attribute:
                continue
            case .group(let members):
                renderContent(members, into: &output)
            case .element, .text, .trusted:
                node.render(into: &output)
            }
        }
    }
}

/// The one escaping rule, for text and attribute values alike: the five characters that can end a
/// text run or a quoted value, or start a character reference, become references.
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        append(text, to: &output)
        return output
    }

    static func append(_ text: String, to output: inout String) {
        // Fast path: most strings need nothing.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            output += text
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
    }
}

/// Which URLs an `href`, `src` or `action` may hold: relative ones, and absolute ones with a scheme
/// from `allowedSchemes`. Anything else (`javascript:`, `data:`, `vbscript:`, also when spelled with
/// tabs, newlines or mixed case, which browsers ignore) is replaced by `blocked`.
public enum URLPolicy {
    public static let allowedSchemes: Set<String> = ["http", "https", "mailto", "tel"]
    public static let blocked = "#blocked-url"

    static let urlAttributes: Set<String> = ["href", "src", "action", "formaction", "poster", "cite"]

    static func isURLAttribute(_ name: String) -> Bool { urlAttributes.contains(name) }

    public static func sanitized(_ url: String) -> String {
        // Browsers drop ASCII tabs and newlines anywhere in a URL and trim C0 controls and spaces, so
        // those bytes are skipped; every other byte (non-ASCII included) counts.
        var scheme: [UInt8] = []
        for byte in url.utf8 where byte > 0x20 && byte != 0x7F {
            if byte == UInt8(ascii: ":") {
                guard !scheme.isEmpty else { return url }
                return allowedSchemes.contains(String(decoding: scheme, as: UTF8.self).lowercased()) ? url : blocked
            }
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            let isLaterSchemeCharacter =
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".")
            // A path, query or fragment before any colon: a relative URL.
            guard isLetter || (!scheme.isEmpty && isLaterSchemeCharacter) else { return url }
            scheme.append(byte)
        }
        return url
    }
}

enum HTMLVocabulary {
    /// Elements that have no content and no end tag.
    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
    }

    static func isAllowedAttribute(_ name: String) -> Bool {
        isValidName(name) && !name.hasPrefix("on")
    }
}
