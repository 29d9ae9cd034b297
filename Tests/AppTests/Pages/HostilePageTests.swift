@testable import App
import ADSappCore
import Foundation
import Testing

/// Every page, rendered with an attack in every string of its model, in both languages, has exactly the
/// elements and attributes it has with plain words: no string can open an element, end an attribute,
/// or put a script URL in a link. The output is read by a real HTML parser (Python's `html.parser`,
/// the tokenizer of the standard library), not by searching strings.
@Suite struct HostilePageTests {
    static let attack =
        #"javascript:alert(1)//"'><img src=x onerror=alert(1)><meta http-equiv="refresh" content="0;url=https://evil.example/">`${alert(1)}`"#
        + "\n\r\t</textarea></title></script><script>alert(1)</script>&amp;&lt;<!--"
    static func hostile(_ field: String) -> String { attack + "|" + field }
    static func plain(_ field: String) -> String { "plain " + field }

    @Test(arguments: Language.allCases)
    func noStringChangesTheShapeOfAnyPage(_ language: Language) throws {
        let t = Localizer(language: language, catalog: try Catalog.loadBundled())
        let hostilePages = PageFixtures.pages(Self.hostile)
        let plainPages = PageFixtures.pages(Self.plain)
        let documents = zip(hostilePages, plainPages).flatMap { hostile, plain in
            [hostile.render(PageFixtures.chrome(Self.hostile, t)).render(), plain.render(PageFixtures.chrome(Self.plain, t)).render()]
        }
        let parsed = try HTMLParserProcess.parse(documents)
        for (index, page) in hostilePages.enumerated() {
            let hostile = parsed[2 * index], plain = parsed[2 * index + 1]
            if let index = Self.firstDifference(hostile.tags, plain.tags) {
                let found = hostile.tags.dropFirst(index).first ?? "(end)", expected = plain.tags.dropFirst(index).first ?? "(end)"
                Issue.record("\(page.name) (\(language)): the attack changed tag \(index) to \(found) where the plain page has \(expected)")
            }
            #expect(hostile.scriptURLs.isEmpty, "\(page.name) (\(language)): a script URL reached \(hostile.scriptURLs.joined(separator: ", "))")
            #expect(hostile.text.contains("<img src=x onerror=alert(1)>"), "\(page.name): the attack is shown as text")
        }
    }

    @Test func everyStringOfEveryModelIsFilled() {
        for page in PageFixtures.pages(Self.hostile) {
            for (path, value) in Self.strings(in: page.model, path: page.name)
            where !value.hasPrefix(Self.attack) && !PageFixtures.messageKinds.contains(value) && UUID(uuidString: value) == nil {
                Issue.record("\(path) = \(value.debugDescription) is not made by the fixture's string function")
            }
        }
    }

    static func firstDifference(_ a: [String], _ b: [String]) -> Int? {
        a.indices.first { $0 < b.count && a[$0] != b[$0] } ?? (a.count == b.count ? nil : min(a.count, b.count))
    }

    /// Every string reachable in a value: fields, array elements, dictionary keys and values, enum payloads.
    static func strings(in value: Any, path: String) -> [(String, String)] {
        if let string = value as? String { return [(path, string)] }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .dictionary {
            return mirror.children.flatMap { child in
                Mirror(reflecting: child.value).children.dropFirst().flatMap { strings(in: $0.value, path: path + "[]") }
            }
        }
        return mirror.children.enumerated().flatMap { index, child in
            strings(in: child.value, path: path + "." + (child.label ?? String(index)))
        }
    }
}

/// Runs Python's HTML tokenizer over documents and returns, for each, its start tags with their
/// attribute names, the URL attributes that hold a script URL, and its text.
enum HTMLParserProcess {
    struct Parsed: Decodable {
        var tags: [String]
        var scriptURLs: [String]
        var text: String
    }

    static let script = #"""
        import json, re, sys
        from html.parser import HTMLParser

        class Shape(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.tags, self.script_urls, self.text = [], [], []
            def handle_starttag(self, tag, attrs):
                self.tags.append(" ".join([tag] + [name for name, _ in attrs]))
                for name, value in attrs:
                    if name in ("href", "src", "action", "formaction") and re.match(r"^\s*(javascript|data|vbscript):", re.sub(r"[\x00-\x20]", "", value or ""), re.I):
                        self.script_urls.append(value)
            def handle_startendtag(self, tag, attrs):
                self.handle_starttag(tag, attrs)
            def handle_comment(self, data):
                self.tags.append("<!--")
            def handle_decl(self, decl):
                self.tags.append("<!" + decl)
            def handle_data(self, data):
                self.text.append(data)

        out = []
        for document in json.load(sys.stdin):
            shape = Shape()
            shape.feed(document)
            shape.close()
            out.append({"tags": shape.tags, "scriptURLs": shape.script_urls, "text": "".join(shape.text)})
        json.dump(out, sys.stdout)
        """#

    static func parse(_ documents: [String]) throws -> [Parsed] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let body = try JSONEncoder().encode(documents)
        // Write and read at once: the documents are larger than a pipe's buffer.
        let writer = Thread {
            input.fileHandleForWriting.write(body); try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ParserFailed(status: process.terminationStatus) }
        return try JSONDecoder().decode([Parsed].self, from: data)
    }

    struct ParserFailed: Error { var status: Int32 }
}
