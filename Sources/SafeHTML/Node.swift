/// A piece of an HTML document: an element, an attribute of the element it sits in, text, or a group.
///
/// Pages are built from these values and rendered by `HTML.render()`. Every text and every attribute
/// value is escaped when it is rendered, so a string from a customer, a member or a URL can never end
/// an attribute or open an element; nothing a page writes has to remember to escape. URL attributes
/// (`href`, `src`, `action`) keep only relative URLs and the schemes in `URLPolicy`. The one way to
/// write markup as it is, `Node.trustedHTML(_:)`, is searched for by a test that lists every use.
///
/// The call syntax follows Plot (`.div(.class("x"), .text(name))`), which the pages were first
/// written with: Plot 0.14 writes attribute values verbatim, and its nodes are closures that cannot be
/// inspected, so no wrapper around it could escape them.
public struct Node: Sendable {
    enum Kind: Sendable {
        case element(name: String, children: [Node], isVoid: Bool)
        /// `value == nil` is a boolean attribute written by its name alone (`required`).
        case attribute(name: String, value: String?)
        case text(String)
        case trusted(String)
        case group([Node])
    }

    let kind: Kind

    init(_ kind: Kind) { self.kind = kind }
}

// MARK: - Building blocks

public extension Node {
    static var empty: Node { Node(.group([])) }

    /// Text, escaped.
    static func text(_ text: String) -> Node { Node(.text(text)) }

    /// Markup written into the page as it is. The escape hatch: use it only for markup the program
    /// itself made from constants, never for anything that holds data. `EscapeHatchTests`
    /// lists every use in the sources and fails on a new one.
    static func trustedHTML(_ markup: String) -> Node { Node(.trusted(markup)) }

    static func element(named name: String, nodes: [Node] = []) -> Node {
        Node(.element(name: name, children: nodes, isVoid: HTMLVocabulary.voidElements.contains(name)))
    }

    static func element(named name: String, text: String) -> Node {
        element(named: name, nodes: [.text(text)])
    }

    /// An attribute of the element this node is placed in. A nil or empty value leaves it out, so an
    /// optional attribute can be written unconditionally; a later attribute of the same name replaces
    /// an earlier one.
    static func attribute(named name: String, value: String?) -> Node {
        guard let value, !value.isEmpty else { return .empty }
        return Node(.attribute(name: name, value: value))
    }

    /// A boolean attribute, present by its name alone.
    static func attribute(named name: String) -> Node {
        Node(.attribute(name: name, value: nil))
    }

    static func group(_ members: [Node]) -> Node { Node(.group(members)) }
    static func group(_ members: Node...) -> Node { Node(.group(members)) }
}

// MARK: - Control flow

public extension Node {
    static func `if`(_ condition: Bool, _ node: Node, else alternative: Node? = nil) -> Node {
        condition ? node : (alternative ?? .empty)
    }

    static func unwrap<T>(_ optional: T?, _ transform: (T) -> Node, else alternative: Node? = nil) -> Node {
        optional.map(transform) ?? alternative ?? .empty
    }

    static func forEach<S: Sequence>(_ sequence: S, _ transform: (S.Element) -> Node) -> Node {
        .group(sequence.map(transform))
    }
}

extension Node: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
}
