import ADSappCore
import Foundation
import Testing

/// `PhoneNumber.e164` against Google's libphonenumber rules (Python's `phonenumbers`, pinned in
/// requirements-peers.txt, run by system-tests/peers/phone_numbers.py) on a generated corpus: every
/// country we know, mobile and fixed-line example numbers (and variants of them) in the formats
/// people type, plus garbage, too short and too long. Prints the agreement; every disagreement is
/// in `expectedDifferences` with its reason, and any other one fails the test.
@Suite struct PhoneNumberCrossCheckTests {
    /// Country, calling code, national trunk prefix, national significant numbers (mobile, fixed line).
    static let examples: [(String, [String])] = [
        ("NL", ["612345678", "101234567"]), ("BE", ["450001234", "12345678"]), ("DE", ["15123456789", "30123456"]),
        ("FR", ["612345678", "123456789"]), ("GB", ["7400123456", "1212345678"]), ("IE", ["850123456", "2212345"]),
        ("ES", ["612345678", "810123456"]), ("PT", ["912345678", "212345678"]), ("IT", ["3123456789", "0212345678"]),
        ("AT", ["664123456", "1234567890"]), ("CH", ["781234567", "212345678"]), ("LU", ["628123456", "27123456"]),
        ("DK", ["34412345", "32123456"]), ("SE", ["701234567", "8123456"]), ("NO", ["40612345", "21234567"]),
        ("FI", ["412345678", "131234567"]), ("PL", ["512345678", "123456789"]), ("CZ", ["601123456", "212345678"]),
        ("TR", ["5012345678", "2123456789"]), ("MA", ["650123456", "520123456"]), ("SR", ["7412345", "211234"]),
        ("CW", ["95181234", "94351234"]), ("BQ", ["3181234", "7151234"]), ("AW", ["5601234", "5212345"]),
        ("US", ["2015550123", "2127365000"]), ("CA", ["5062345678", "4165550199"]), ("MX", ["2221234567", "5512345678"]),
        ("BR", ["11961234567", "1123456789"]), ("IN", ["8123456789", "7410410123"]), ("ID", ["812345678", "218350123"]),
        ("ZA", ["711234567", "101234567"]), ("NG", ["8021234567", "2033123456"]), ("AU", ["412345678", "212345678"]),
        ("NZ", ["211234567", "32345678"]), ("GR", ["6912345678", "2123456789"]), ("RO", ["712034567", "211234567"]),
        ("AE", ["501234567", "22345678"]), ("GH", ["231234567", "302345678"]), ("KE", ["712123456", "202012345"]),
        ("JP", ["9012345678", "312345678"]),
    ]

    struct Case: Codable, Hashable {
        var input: String
        var region: String
    }

    struct Answer: Codable {
        var e164: String?
        var valid: Bool
    }

    /// Disagreements we keep on purpose, each with its reason (input, default country).
    static let extensionMarker =
        "phonenumbers reads \"x\" as an extension marker and keeps the digits before it; we refuse letters (a WhatsApp number has no extension)"
    static let expectedDifferences: [Case: String] = [
        Case(input: "021234x678", region: "IT"): extensionMarker,
        Case(input: "021234x671", region: "IT"): extensionMarker,
        Case(input: "021234x675", region: "IT"): extensionMarker,
        Case(input: "123456x890", region: "AT"): extensionMarker,
        Case(input: "123456x893", region: "AT"): extensionMarker,
        Case(input: "123456x897", region: "AT"): extensionMarker,
        Case(input: "2712x456", region: "LU"): extensionMarker,
        Case(input: "2712x459", region: "LU"): extensionMarker,
        Case(input: "2712x453", region: "LU"): extensionMarker,
        Case(input: "+52 1 55 1234 5678", region: "NL"):
            "Mexico dropped the mobile \"1\" after +52 in 2019; phonenumbers keeps it and calls the result invalid, we drop it and keep the number reachable",
    ]

    /// "612345678" -> "612 345 678".
    static func grouped(_ digits: String, _ separator: String) -> String {
        var groups: [String] = []
        var rest = Substring(digits)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(3)))
            rest = rest.dropFirst(3)
        }
        return groups.joined(separator: separator)
    }

    /// The corpus: deterministic, the same on every run.
    static func corpus() -> [Case] {
        var cases: [Case] = []
        for (region, numbers) in examples {
            let code = PhoneNumber.callingCode(of: region)!
            let trunk =
                ["US", "CA"].contains(region)
                ? "1" : (["ES", "PT", "IT", "LU", "DK", "NO", "PL", "CZ", "SR", "CW", "BQ", "AW", "MX", "GR"].contains(region) ? "" : "0")
            // Each example and two variants with other last digits.
            let variants: [String] = numbers.flatMap { (number: String) -> [String] in
                [number] + [3, 7].map { step in String(number.dropLast()) + String((Int(String(number.last!))! + step) % 10) }
            }
            for nsn in variants {
                let home = region == "NL" ? "DE" : "NL"
                cases += [
                    Case(input: "+\(code) \(grouped(nsn, " "))", region: home),
                    Case(input: "00\(code)-\(grouped(nsn, "-"))", region: home),
                    Case(input: "\(trunk)\(grouped(nsn, " "))", region: region),
                    Case(input: "(\(trunk)\(nsn.prefix(2))) \(nsn.dropFirst(2))", region: region),
                    Case(input: "\(trunk)\(grouped(nsn, "."))", region: region),
                    Case(input: "\(nsn.dropLast(4))x\(nsn.suffix(3))", region: region),
                    Case(input: "+\(code) \(nsn)1234", region: home),
                    Case(input: "\(trunk)\(nsn.dropLast(4))", region: region),
                ]
                if trunk == "0" { cases.append(Case(input: "+\(code) (0)\(grouped(nsn, " "))", region: home)) }
            }
        }
        cases += [
            Case(input: "", region: "NL"), Case(input: "+", region: "NL"), Case(input: "hello", region: "NL"),
            Case(input: "011 31 6 12345678", region: "US"), Case(input: "31612345678", region: "NL"),
            Case(input: "+31 06 12345678", region: "NL"), Case(input: "+52 1 55 1234 5678", region: "NL"),
        ]
        var seen: Set<Case> = []
        return cases.filter { seen.insert($0).inserted }
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The peer's answers, in the corpus's order.
    static func peer(_ cases: [Case]) throws -> [Answer] {
        let process = Process()
        process.executableURL = repositoryRoot.appendingPathComponent(".venv-peers/bin/python")
        process.arguments = [repositoryRoot.appendingPathComponent("system-tests/peers/phone_numbers.py").path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: JSONEncoder().encode(cases))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode([Answer].self, from: data)
    }

    @Test func agreesWithPhonenumbersOrSaysWhyNot() throws {
        let cases = Self.corpus()
        #expect(Set(cases.map(\.region)).count >= 20)
        let answers = try Self.peer(cases)
        try #require(answers.count == cases.count)
        var agree = 0
        var unexplained: [String] = []
        var explained: Set<Case> = []
        for (item, theirs) in zip(cases, answers) {
            let ours = try? PhoneNumber.e164(item.input, defaultCountry: item.region)
            let same = theirs.valid ? ours == theirs.e164 : ours == nil
            if same {
                agree += 1
            } else if Self.expectedDifferences[item] != nil {
                explained.insert(item)
            } else {
                unexplained.append(
                    "\(item.input) in \(item.region): ours \(ours ?? "refused"), phonenumbers \(theirs.e164 ?? "unparsable") valid=\(theirs.valid)")
            }
        }
        print("PhoneNumber cross-check: agree on \(agree) of \(cases.count) (\(explained.count) explained differences)")
        #expect(unexplained.isEmpty, "unexplained disagreements:\n\(unexplained.joined(separator: "\n"))")
        let stale = Set(Self.expectedDifferences.keys).subtracting(explained)
        #expect(stale.isEmpty, "listed differences that no longer differ: \(stale)")
    }
}
