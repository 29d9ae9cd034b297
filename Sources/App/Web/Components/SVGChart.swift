import Foundation
import SafeHTML

/// The parts of the pages' small SVG charts (campaign progress, drip steps, AI usage): the drawing
/// with its accessible title, text labels and bars. Every string goes in as text, escaped.
enum SVGChart {
    /// An `<svg role="img">` whose `<title>` says in words what it draws.
    static func drawing(class name: String, testID: String, width: Double, height: Double, title: String, _ parts: [Node]) -> Node {
        .element(
            named: "svg",
            nodes: [
                .attribute(named: "xmlns", value: "http://www.w3.org/2000/svg"), .attribute(named: "role", value: "img"),
                .attribute(named: "class", value: name), .attribute(named: "viewbox", value: "0 0 \(Int(width)) \(Int(height))"),
                .attribute(named: "data-testid", value: testID), .element(named: "title", text: title),
            ] + parts)
    }

    static func label(_ text: String, x: Double, y: Double, anchor: String? = nil) -> Node {
        var nodes: [Node] = [
            .attribute(named: "x", value: String(format: "%.0f", x)), .attribute(named: "y", value: String(format: "%.0f", y)),
            .attribute(named: "font-size", value: "12"),
        ]
        if let anchor { nodes.append(.attribute(named: "text-anchor", value: anchor)) }
        return .element(named: "text", nodes: nodes + [.text(text)])
    }

    static func bar(x: Double, y: Double, width: Double, height: Double, fill: String) -> Node {
        .element(
            named: "rect",
            nodes: [
                .attribute(named: "x", value: String(format: "%.0f", x)), .attribute(named: "y", value: String(format: "%.0f", y)),
                .attribute(named: "width", value: String(format: "%.1f", width)), .attribute(named: "height", value: String(format: "%.0f", height)),
                .attribute(named: "fill", value: fill),
            ])
    }
}
