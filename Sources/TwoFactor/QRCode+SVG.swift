extension QRCode {
    /// A standalone SVG of the symbol with a quiet zone of four modules, light background included.
    ///
    /// The dark modules are one `<path>` with a sub-path per horizontal run of dark modules, drawn in
    /// module units (the `viewBox`) with `crispEdges`, so it stays sharp at any size. `title` names the
    /// image for screen readers (role `img`); it is escaped.
    public func svg(title: String, moduleSize: Int = 4) -> String {
        precondition(moduleSize >= 1, "a module is at least one pixel")
        let side = size + 2 * Self.quietZone
        let path = Self.svgPath(size: size) { isDark(x: $0, y: $1) }
        let pixels = side * moduleSize
        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <title>\(Self.escapeXML(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/>\
            </svg>
            """
    }

    /// The light margin around a symbol, in modules, that readers need.
    public static let quietZone = 4

    /// The `d` of the one `<path>` that draws the dark modules of a `size`×`size` symbol: a sub-path
    /// per horizontal run, in module units, offset by the quiet zone. Shared with views that build
    /// the SVG from their own nodes.
    public static func svgPath(size: Int, isDark: (_ x: Int, _ y: Int) -> Bool) -> String {
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x, y) else {
                    x += 1
                    continue
                }
                let start = x
                while x < size && isDark(x, y) { x += 1 }
                path += "M\(start + quietZone) \(y + quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        return path
    }

    static func escapeXML(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}
