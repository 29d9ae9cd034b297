@testable import App
import ADSappCore
import Foundation
import SnapshotTesting
import Testing

/// Every page, rendered from its fixed fixture model in English and in Dutch, compared with the
/// markup committed under `__Snapshots__/PageSnapshotTests/` (`page-name.en.txt`, `page-name.nl.txt`): a change to a page's layout or text shows
/// up in review as a diff of that file. Fixtures use fixed ids and dates, so nothing in a snapshot
/// changes between runs.
///
/// A missing snapshot is written and the test fails (the library's default, `.missing`); under CI
/// (`CI` set) nothing is written and a missing snapshot only fails. To re-record after an intended
/// change: `SNAPSHOT_TESTING_RECORD=all swift test --filter PageSnapshotTests`, then review the diff.
@Suite(.snapshots(record: PageSnapshotRecording.mode))
struct PageSnapshotTests {

    static func word(_ field: String) -> String { field }

    @Test(arguments: Language.allCases)
    func everyPage(_ language: Language) throws {
        let t = Localizer(language: language, catalog: try Catalog.loadBundled())
        let chrome = PageFixtures.chrome(Self.word, t)
        for page in PageFixtures.pages(Self.word) {
            assertSnapshot(of: Self.readable(page.render(chrome).render()), as: .lines, named: language.rawValue, testName: Self.slug(page.name))
        }
    }

    /// The markup with a line break between adjacent tags, so a diff shows the element that changed.
    /// Only for reading: the page itself is served as rendered.
    static func readable(_ markup: String) -> String {
        markup.replacingOccurrences(of: "><", with: ">\n<") + "\n"
    }

    static func slug(_ name: String) -> String {
        name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
            .split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
    }
}

enum PageSnapshotRecording {
    /// `.never` under CI, else `SNAPSHOT_TESTING_RECORD` (`all`, `failed`, `missing`, `never`) or `.missing`.
    static let mode: SnapshotTestingConfiguration.Record = {
        let environment = ProcessInfo.processInfo.environment
        guard environment["CI"] == nil else { return .never }
        return environment["SNAPSHOT_TESTING_RECORD"].flatMap { .init(rawValue: $0) } ?? .missing
    }()
}

/// Every page of the app has a fixture, so the snapshot and hostile-string tests cover it: each
/// `Sources/App/<Feature>/Pages/<Name>+View.swift` names a page that `PageFixtures` renders.
@Suite struct PageLayoutTests {
    @Test func everyPageViewHasAFixture() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fixtures = try String(contentsOf: root.appendingPathComponent("Tests/AppTests/Pages/PageFixtures.swift"), encoding: .utf8)
        var pages: [String] = []
        let files = FileManager.default.enumerator(at: root.appendingPathComponent("Sources/App"), includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            let name = file.lastPathComponent
            guard name.hasSuffix("+View.swift") else { continue }
            #expect(file.deletingLastPathComponent().lastPathComponent == "Pages", "\(name) lives outside a Pages folder")
            pages.append(String(name.dropLast("+View.swift".count)))
        }
        #expect(pages.count >= 17)
        for page in pages {
            #expect(fixtures.contains("\(page).html("), "\(page) has no fixture in PageFixtures")
        }
    }
}
