import Foundation
import PythonPeers
import Testing
import TwoFactor

/// TOTP against pyotp, an independent implementation (system-tests/peers/totp_pyotp.py), in both
/// directions, with the clock one step off either way.
@Suite struct PyOTPCrossCheckTests {
    struct PyOTPCode: Decodable {
        let secret: String
        let digits: Int
        let time: Int
        let code: String
    }

    struct Verification: Encodable {
        let secret: String
        let digits: Int
        let time: Int
        let code: String
        let window: Int
    }

    struct ParsedURI: Decodable, Equatable {
        let secret: String
        let secret_bytes: String
        let issuer: String?
        let name: String
        let digits: Int
        let interval: Int
        let digest: String
        let type: String
    }

    @Test func pyotpCodesMatchOneStepEitherSideAndNotTwo() throws {
        let cases = try PythonPeer.run("totp_pyotp.py", ["generate", "6238", "300"], as: [PyOTPCode].self)
        #expect(cases.count == 300)
        for theirs in cases {
            let secret = try #require(Base32.decode(theirs.secret))
            #expect(secret.count == 20)
            let totp = TOTP(secret: secret, digits: theirs.digits)
            let time = Date(timeIntervalSince1970: TimeInterval(theirs.time))
            let step = TOTP.step(at: time)
            #expect(totp.code(at: time) == theirs.code)
            for offset in [-30.0, 0, 30] {
                #expect(totp.matchingStep(for: theirs.code, at: time.addingTimeInterval(offset)) == step, "\(theirs) at \(offset)")
            }
            for offset in [-60.0, 60] {
                let shifted = time.addingTimeInterval(offset)
                #expect(
                    totp.matchingStep(for: theirs.code, at: shifted) == Self.coincidence(totp, theirs.code, around: shifted, window: 1),
                    "\(theirs) at \(offset)")
            }
        }
    }

    /// The step within `window` of `date` whose code is also `code` (a one-in-a-million coincidence
    /// for a code from another step), so the refusals are exact rather than almost always right.
    static func coincidence(_ totp: TOTP, _ code: String, around date: Date, window: Int) -> Int64? {
        let center = TOTP.step(at: date, period: totp.period)
        return [0, -1, 1, -2, 2].filter { abs($0) <= window }.map { center + Int64($0) }.first { totp.code(forStep: $0) == code }
    }

    @Test func pyotpAcceptsOurCodesOneStepEitherSideAndNotTwo() throws {
        var random = SeededRandom(seed: 4226)
        var questions: [Verification] = []
        var expected: [Bool] = []
        for index in 0..<200 {
            let secret = TOTP.generateSecret { random.bytes($0) }
            let digits = index % 4 == 3 ? 8 : 6
            let totp = TOTP(secret: secret, digits: digits)
            var time = Int.random(in: 0...4_102_444_800, using: &random)
            if index % 6 == 0 { time -= time % 30 }
            if index % 6 == 1 { time += 29 - time % 30 }
            let code = totp.code(at: Date(timeIntervalSince1970: TimeInterval(time)))
            for offset in [-60, -30, 0, 30, 60] {
                questions.append(Verification(secret: Base32.encode(secret), digits: digits, time: time + offset, code: code, window: 1))
                let shifted = Date(timeIntervalSince1970: TimeInterval(time + offset))
                expected.append(abs(offset) <= 30 || Self.coincidence(totp, code, around: shifted, window: 1) != nil)
            }
            questions.append(Verification(secret: Base32.encode(secret), digits: digits, time: time + 30, code: code, window: 0))
            let later = Date(timeIntervalSince1970: TimeInterval(time + 30))
            expected.append(Self.coincidence(totp, code, around: later, window: 0) != nil)
        }
        let answers = try PythonPeer.run("totp_pyotp.py", ["verify"], input: questions, as: [Bool].self)
        #expect(answers.count == expected.count)
        for (index, answer) in answers.enumerated() where answer != expected[index] {
            Issue.record("pyotp answered \(answer) for \(questions[index])")
        }
    }

    @Test func pyotpReadsOurKeyURIs() throws {
        var random = SeededRandom(seed: 3986)
        let labels: [(account: String, issuer: String)] = [
            ("anna@example.com", "ADSapp"),
            ("jan.de.vries+test@example.nl", "ADSapp (staging)"),
            ("colon:in@example.com", "Acme: B.V."),
            ("Zoë Ã©", "Grüße & Co / 100%"),
            ("?#&=+ spaces ", "issuer with spaces"),
        ]
        var uris: [String] = []
        var secrets: [[UInt8]] = []
        for label in labels {
            let secret = TOTP.generateSecret { random.bytes($0) }
            secrets.append(secret)
            uris.append(OTPAuthURI.totp(secret: secret, account: label.account, issuer: label.issuer))
        }
        let parsed = try PythonPeer.run("totp_pyotp.py", ["parse-uri"], input: uris, as: [ParsedURI].self)
        #expect(parsed.count == labels.count)
        for (index, theirs) in parsed.enumerated() {
            let hex = secrets[index].map { String(format: "%02x", $0) }.joined()
            #expect(
                theirs
                    == ParsedURI(
                        secret: Base32.encode(secrets[index]), secret_bytes: hex, issuer: labels[index].issuer, name: labels[index].account,
                        digits: 6, interval: 30, digest: "sha1", type: "TOTP"))
        }
    }
}
