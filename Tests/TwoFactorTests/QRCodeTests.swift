import Foundation
import Testing

@testable import TwoFactor

@Suite struct QRCodeTests {
    @Test func capacitiesAndCodewordCountsMatchTheStandard() {
        // ISO/IEC 18004 table 7 (byte mode) and table 9 (codewords).
        let bytes: [(version: Int, low: Int, medium: Int, quartile: Int, high: Int)] = [
            (1, 17, 14, 11, 7), (2, 32, 26, 20, 14), (7, 154, 122, 86, 64), (10, 271, 213, 151, 119),
            (26, 1367, 1059, 751, 593), (40, 2953, 2331, 1663, 1273),
        ]
        for row in bytes {
            #expect(QRCode.byteCapacity(version: row.version, correction: .low) == row.low)
            #expect(QRCode.byteCapacity(version: row.version, correction: .medium) == row.medium)
            #expect(QRCode.byteCapacity(version: row.version, correction: .quartile) == row.quartile)
            #expect(QRCode.byteCapacity(version: row.version, correction: .high) == row.high)
        }
        for version in 1...40 {
            #expect(QRTables.totalCodewords(version: version) == QRMatrix(version: version).dataModuleCount / 8, "version \(version)")
        }
        #expect(QRTables.totalCodewords(version: 1) == 26)
        #expect(QRTables.totalCodewords(version: 7) == 196)
        #expect(QRTables.totalCodewords(version: 40) == 3706)
        #expect(QRMatrix.alignmentCenters(version: 7) == [6, 22, 38])
        #expect(QRMatrix.alignmentCenters(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(QRMatrix.alignmentCenters(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }

    @Test func theSmallestVersionThatHoldsTheTextIsChosen() throws {
        // A fixed mask: choosing one is another test, and scoring eight large symbols is slow in debug builds.
        for correction in QRCode.Correction.allCases {
            for version in [1, 9, 10, 39] {
                let capacity = QRCode.byteCapacity(version: version, correction: correction)
                let full = try QRCode(bytes: [UInt8](repeating: 0x61, count: capacity), correction: correction, mask: 0)
                #expect(full.version == version)
                #expect(full.size == 17 + 4 * version)
                let over = try QRCode(bytes: [UInt8](repeating: 0x61, count: capacity + 1), correction: correction, mask: 0)
                #expect(over.version == version + 1)
            }
        }
    }

    @Test func tooMuchDataIsRefused() throws {
        #expect(throws: QRCode.Error.tooLong(bytes: 2332, maximum: 2331)) {
            try QRCode(text: String(repeating: "a", count: 2332))
        }
        #expect(throws: QRCode.Error.tooLong(bytes: 15, maximum: 14)) {
            try QRCode(bytes: [UInt8](repeating: 0, count: 15), version: 1)
        }
        #expect(throws: QRCode.Error.invalidVersion(41)) { try QRCode(bytes: [], version: 41) }
        #expect(throws: QRCode.Error.invalidMask(8)) { try QRCode(bytes: [], mask: 8) }
    }

    @Test func finderPatternsSitInThreeCorners() throws {
        let code = try QRCode(text: "otpauth://totp/ADSapp:anna?secret=GEZDGNBVGY3TQOJQ")
        for (left, top) in [(0, 0), (code.size - 7, 0), (0, code.size - 7)] {
            for y in 0..<7 {
                for x in 0..<7 {
                    let ring = max(abs(x - 3), abs(y - 3))
                    #expect(code.isDark(x: left + x, y: top + y) == (ring != 2), "finder at (\(left), \(top))")
                }
            }
        }
        #expect(code.isDark(x: 8, y: code.size - 8))  // the dark module
    }

    @Test func theAutomaticMaskHasTheLowestPenalty() throws {
        for text in ["A", "otpauth://totp/ADSapp:anna%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ADSapp", "Grüße aus Zwolle"] {
            let chosen = try QRCode(text: text)
            let scores = try (0..<8).map { mask in
                let forced = try QRCode(bytes: Array(text.utf8), version: chosen.version, mask: mask)
                return QRMatrix.penalty(Self.modules(of: forced), size: forced.size)
            }
            #expect(scores[chosen.mask] == scores.min(), "\(text): \(scores)")
            #expect(scores.firstIndex(of: scores.min()!) == chosen.mask)
        }
    }

    @Test func theSVGIsOnePathOfDarkRunsWithAQuietZoneAndAnEscapedTitle() throws {
        let code = try QRCode(text: "hello")
        let svg = code.svg(title: "Scan <this> & \"that\"", moduleSize: 5)
        let side = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(side * 5)\" height=\"\(side * 5)\""))
        #expect(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.contains("<title>Scan &lt;this&gt; &amp; &quot;that&quot;</title>"))
        #expect(svg.components(separatedBy: "<path").count == 2)
        // The first row starts with the top-left finder: seven dark modules at the quiet zone's edge.
        #expect(svg.contains("d=\"M4 4h7v1h-7z"))
        var darkInPath = 0
        let path = svg.components(separatedBy: " d=\"")[1].components(separatedBy: "\"")[0]
        for run in path.split(separator: "z") {
            darkInPath += Int(run.split(separator: "h")[1].split(separator: "v")[0])!
        }
        var dark = 0
        for y in 0..<code.size { for x in 0..<code.size where code.isDark(x: x, y: y) { dark += 1 } }
        #expect(darkInPath == dark)
    }

    static func modules(of code: QRCode) -> [Bool] {
        (0..<code.size).flatMap { y in (0..<code.size).map { x in code.isDark(x: x, y: y) } }
    }
}
