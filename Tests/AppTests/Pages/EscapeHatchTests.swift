import Foundation
import Testing

/// Unescaped markup has one way into a page, `Node.trustedHTML(_:)`. This lists every use in the
/// sources, so a new one shows up in review as a change to `allowed`.
@Suite struct EscapeHatchTests {
    /// "file: line" of each allowed use, with why it is safe.
    static let allowed: [String] = []

    @Test func everyUseOfTheEscapeHatchIsListed() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        var uses: [String] = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift", !file.path.contains("/Sources/SafeHTML/") else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false)
            where line.contains("trustedHTML(") || line.contains(".raw(\"<") {
                uses.append(file.lastPathComponent + ": " + line.trimmingCharacters(in: .whitespaces))
            }
        }
        #expect(uses == Self.allowed)
        #expect(FileManager.default.fileExists(atPath: sources.appendingPathComponent("SafeHTML/Node.swift").path))
    }

    /// The page scripts put data into the page as text only (`textContent`, attributes), never as markup.
    @Test func thePageScriptsNeverWriteMarkup() throws {
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/App/Resources/Public")
        let files = try FileManager.default.contentsOfDirectory(at: scripts, includingPropertiesForKeys: nil).filter { $0.pathExtension == "js" }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                #expect(!text.contains(sink), "\(file.lastPathComponent) uses \(sink)")
            }
        }
    }

    @Test func noPageImportsARendererThatDoesNotEscapeAttributes() throws {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Package.swift")
        let manifest = try String(contentsOf: package, encoding: .utf8)
        #expect(!manifest.contains("Plot"))
    }
}
