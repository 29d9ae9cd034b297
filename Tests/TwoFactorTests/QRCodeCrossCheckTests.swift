import Foundation
import PythonPeers
import Testing
import TwoFactor

/// Our QR codes against independent implementations (system-tests/peers/qr_peers.py): segno must
/// build the same modules from the same data, version, level and mask, and ZXing must read back
/// exactly the data from an image drawn from our SVG.
@Suite struct QRCodeCrossCheckTests {
    struct SegnoCase: Encodable {
        let data: String
        let error: String
        let version: Int?
        let mask: Int?
    }

    struct SegnoSymbol: Decodable {
        let version: Int
        let mask: Int
        let error: String
        let rows: [String]
    }

    struct DecodeCase: Encodable {
        let svg: String
    }

    struct Decoded: Decodable {
        let decoded: [String]
        let ec_level: [String]
        let title: String?
        let width: String?
        let shape_rendering: String?
    }

    static let levels: [(QRCode.Correction, String)] = [(.low, "L"), (.medium, "M"), (.quartile, "Q"), (.high, "H")]

    static let texts = [
        OTPAuthURI.totp(secret: Array("12345678901234567890".utf8), account: "anna@example.com", issuer: "ADSapp"),
        OTPAuthURI.totp(secret: Array(repeating: 0xA5, count: 20), account: "jan.de.vries+inbox@voorbeeld.nl", issuer: "ADSapp (Zwolle & Co)"),
        "Grüße aus Zwolle — één QR-code, 二维码, ✓ 🙂",
        "A",
        "",
    ]

    /// Printable ASCII with some multi-byte UTF-8 mixed in, `count` bytes long.
    static func payload(_ count: Int, using random: inout SeededRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            if count - bytes.count >= 2 && Int.random(in: 0..<10, using: &random) == 0 {
                bytes += Array("é".utf8)
            } else {
                bytes.append(UInt8.random(in: 0x20...0x7E, using: &random))
            }
        }
        return bytes
    }

    static func rows(of code: QRCode) -> [String] {
        (0..<code.size).map { y in String((0..<code.size).map { x in code.isDark(x: x, y: y) ? "1" : "0" }) }
    }

    @Test func segnoBuildsTheSameModulesForEveryVersionLevelAndMask() throws {
        var random = SeededRandom(seed: 18004)
        var ours: [QRCode] = []
        var cases: [SegnoCase] = []
        func add(_ code: QRCode, _ bytes: [UInt8], level: String, forceVersion: Bool) {
            ours.append(code)
            cases.append(
                SegnoCase(data: Data(bytes).base64EncodedString(), error: level, version: forceVersion ? code.version : nil, mask: code.mask))
        }
        // Every version at every level, filled to the last byte, each with a different mask.
        for version in 1...40 {
            for (index, (correction, level)) in Self.levels.enumerated() {
                let bytes = Self.payload(QRCode.byteCapacity(version: version, correction: correction), using: &random)
                add(try QRCode(bytes: bytes, correction: correction, version: version, mask: (version + index) % 8), bytes, level: level, forceVersion: true)
            }
        }
        // One byte more than a version holds: both choose the next version (segno chooses freely here).
        for version in [1, 6, 9, 10, 26, 39] {
            for (correction, level) in Self.levels {
                let bytes = Self.payload(QRCode.byteCapacity(version: version, correction: correction) + 1, using: &random)
                add(try QRCode(bytes: bytes, correction: correction), bytes, level: level, forceVersion: false)
            }
        }
        // Key URIs and UTF-8 text in all eight masks, in the version we choose and a larger one.
        for text in Self.texts {
            for mask in 0..<8 {
                let chosen = try QRCode(bytes: Array(text.utf8), correction: .medium, mask: mask)
                add(chosen, Array(text.utf8), level: "M", forceVersion: false)
                add(
                    try QRCode(bytes: Array(text.utf8), correction: .quartile, version: chosen.version + 3, mask: mask), Array(text.utf8), level: "Q",
                    forceVersion: true)
            }
        }

        let theirs = try PythonPeer.run("qr_peers.py", ["segno"], input: cases, as: [SegnoSymbol].self)
        try #require(theirs.count == ours.count)
        var versionsCompared = Set<Int>()
        for (index, symbol) in theirs.enumerated() {
            let code = ours[index]
            #expect(symbol.version == code.version, "case \(index)")
            #expect(symbol.mask == code.mask, "case \(index)")
            #expect(symbol.error == cases[index].error, "case \(index)")
            let ourRows = Self.rows(of: code)
            if symbol.rows != ourRows {
                let differing = zip(symbol.rows, ourRows).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
                Issue.record("case \(index) (version \(code.version), \(cases[index].error), mask \(code.mask)): rows \(differing.prefix(12)) differ")
            } else {
                versionsCompared.insert(code.version)
            }
        }
        #expect(versionsCompared == Set(1...40))
    }

    @Test func zxingReadsTheExactDataFromOurSVG() throws {
        var random = SeededRandom(seed: 2953)
        var expected: [(bytes: [UInt8], level: String, title: String)] = []
        var cases: [DecodeCase] = []
        func add(_ bytes: [UInt8], _ correction: QRCode.Correction, _ level: String) throws {
            let code = try QRCode(bytes: bytes, correction: correction)
            let title = "Scan me #\(cases.count) <with> \"an\" app & ok"
            expected.append((bytes, level, title))
            cases.append(DecodeCase(svg: code.svg(title: title, moduleSize: 3)))
        }
        for text in Self.texts where !text.isEmpty {
            for (correction, level) in Self.levels { try add(Array(text.utf8), correction, level) }
        }
        for version in [2, 5, 7, 10, 14, 20, 27, 33, 40] {
            for (correction, level) in Self.levels {
                let capacity = QRCode.byteCapacity(version: version, correction: correction)
                try add(Self.payload(capacity - Int.random(in: 0..<4, using: &random), using: &random), correction, level)
            }
        }

        let answers = try PythonPeer.run("qr_peers.py", ["decode"], input: cases, as: [Decoded].self)
        try #require(answers.count == expected.count)
        for (index, answer) in answers.enumerated() {
            let want = expected[index]
            #expect(answer.decoded == [Data(want.bytes).base64EncodedString()], "case \(index): \(want.bytes.count) bytes at \(want.level)")
            #expect(answer.ec_level == [want.level], "case \(index)")
            #expect(answer.title == want.title)
            #expect(answer.shape_rendering == "crispEdges")
        }
    }
}
