import Foundation
import Testing

@testable import TwoFactor

@Suite struct TOTPTests {
    /// RFC 6238 appendix B: the SHA-1 key is the ASCII "12345678901234567890", codes have 8 digits.
    static let rfcSecret = Array("12345678901234567890".utf8)
    static let rfcVectors: [(time: TimeInterval, step: Int64, code: String)] = [
        (59, 0x1, "94287082"),
        (1_111_111_109, 0x23523EC, "07081804"),
        (1_111_111_111, 0x23523ED, "14050471"),
        (1_234_567_890, 0x273EF07, "89005924"),
        (2_000_000_000, 0x3F940AA, "69279037"),
        (20_000_000_000, 0x27BC86AA, "65353130"),
    ]

    @Test func rfc6238AppendixBCodesWithEightDigits() {
        let totp = TOTP(secret: Self.rfcSecret, digits: 8)
        for vector in Self.rfcVectors {
            let date = Date(timeIntervalSince1970: vector.time)
            #expect(TOTP.step(at: date) == vector.step)
            #expect(totp.code(at: date) == vector.code, "at \(vector.time)")
            #expect(totp.matchingStep(for: vector.code, at: date, skew: 0) == vector.step)
        }
    }

    @Test func sixDigitCodesAreTheLastSixDigitsOfTheSameNumber() {
        let totp = TOTP(secret: Self.rfcSecret)
        for vector in Self.rfcVectors {
            #expect(totp.code(at: Date(timeIntervalSince1970: vector.time)) == String(vector.code.suffix(6)))
        }
        // Leading zeros are kept: 07081804 → 081804.
        #expect(totp.code(at: Date(timeIntervalSince1970: 1_111_111_109)) == "081804")
    }

    @Test func stepsChangeExactlyOnThePeriodBoundary() {
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 0)) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 29.999)) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 30)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 59.999)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 60), period: 60) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: -1)) == -1)

        let totp = TOTP(secret: Self.rfcSecret)
        #expect(totp.code(at: Date(timeIntervalSince1970: 30)) == totp.code(at: Date(timeIntervalSince1970: 59.999)))
        #expect(totp.code(at: Date(timeIntervalSince1970: 30)) == totp.code(forStep: 1))
        #expect(totp.code(at: Date(timeIntervalSince1970: 29.999)) == totp.code(forStep: 0))
    }

    @Test func aCodeMatchesOneStepEitherSideAndNotTwo() {
        let totp = TOTP(secret: Self.rfcSecret)
        let now = Date(timeIntervalSince1970: 1_700_000_015)
        let step = TOTP.step(at: now)
        let code = totp.code(at: now)
        #expect(totp.matchingStep(for: code, at: now) == step)
        #expect(totp.matchingStep(for: code, at: now.addingTimeInterval(30)) == step)
        #expect(totp.matchingStep(for: code, at: now.addingTimeInterval(-30)) == step)
        #expect(totp.matchingStep(for: code, at: now.addingTimeInterval(60)) == nil)
        #expect(totp.matchingStep(for: code, at: now.addingTimeInterval(-60)) == nil)
        #expect(totp.matchingStep(for: code, at: now.addingTimeInterval(30), skew: 0) == nil)
        #expect(totp.matchingStep(for: code, at: now.addingTimeInterval(60), skew: 2) == step)
        // The step of the code, not of the clock: what the app stores to refuse a replay.
        #expect(totp.matchingStep(for: totp.code(forStep: step + 1), at: now) == step + 1)
        #expect(totp.matchingStep(for: totp.code(forStep: step - 1), at: now) == step - 1)
    }

    @Test func malformedCodesNeverMatch() {
        let totp = TOTP(secret: Self.rfcSecret)
        let now = Date(timeIntervalSince1970: 59)
        #expect(totp.code(at: now) == "287082")
        #expect(totp.matchingStep(for: "287 082", at: now) == 1)
        for code in ["", "28708", "2870820", "28708a", "２８７０８２", "287-082", "+287082", "94287082", "287082\n"] {
            #expect(totp.matchingStep(for: code, at: now) == nil, "\(code)")
        }
        #expect(TOTP(secret: Self.rfcSecret, digits: 8).matchingStep(for: "287082", at: now) == nil)
    }

    @Test func theSecretIsTwentyBytesOfTheInjectedRandomness() {
        var asked: [Int] = []
        let secret = TOTP.generateSecret { count in
            asked.append(count)
            return Array(UInt8(1)...UInt8(20))
        }
        #expect(asked == [20])
        #expect(secret == Array(UInt8(1)...UInt8(20)))
        #expect(TOTP.secretByteCount * 8 == 160)
    }

    @Test func constantTimeComparisonComparesLengthsAndEveryByte() {
        #expect(TOTP.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!TOTP.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!TOTP.constantTimeEqual([9, 2, 3], [1, 2, 3]))
        #expect(!TOTP.constantTimeEqual([1, 2], [1, 2, 3]))
        #expect(TOTP.constantTimeEqual([], []))
    }
}

@Suite struct Base32Tests {
    /// RFC 4648 section 10.
    static let vectors: [(text: String, encoded: String)] = [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="), ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ]

    @Test func rfc4648Vectors() {
        for vector in Self.vectors {
            let bytes = Array(vector.text.utf8)
            #expect(Base32.encode(bytes, padding: true) == vector.encoded)
            #expect(Base32.encode(bytes) == vector.encoded.replacingOccurrences(of: "=", with: ""))
            #expect(Base32.decode(vector.encoded) == bytes)
            #expect(Base32.decode(vector.encoded.replacingOccurrences(of: "=", with: "")) == bytes)
        }
    }

    @Test func decodingAcceptsWhatPeopleTypeAndRefusesTheRest() {
        #expect(Base32.decode("mzxw 6ytb-oi") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW6YTB0I") == nil)  // 0 and 1 are not in the alphabet
        #expect(Base32.decode("MZXW6YTB1I") == nil)
        #expect(Base32.decode("MZXW6=YTB") == nil)  // data after padding
        #expect(Base32.decode("M") == nil)  // lengths no encoding produces: 1, 3, 6 (mod 8)
        #expect(Base32.decode("MZX") == nil)
        #expect(Base32.decode("MZXW6Y") == nil)
        #expect(Base32.decode("MZXW6YTBÖI") == nil)
    }

    @Test func randomBytesRoundTrip() {
        var random = SeededRandom(seed: 4648)
        for length in 0..<64 {
            let bytes = random.bytes(length)
            let encoded = Base32.encode(bytes)
            #expect(encoded.count == (length * 8 + 4) / 5)
            #expect(Base32.decode(encoded) == bytes)
            #expect(Base32.decode(encoded.lowercased()) == bytes)
        }
    }
}

@Suite struct OTPAuthURITests {
    @Test func theKeyURIHasTheLabelTheSecretAndTheParameters() {
        let uri = OTPAuthURI.totp(secret: Array("12345678901234567890".utf8), account: "anna@example.com", issuer: "ADSapp")
        #expect(
            uri == "otpauth://totp/ADSapp:anna%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ADSapp&algorithm=SHA1&digits=6&period=30"
        )
    }

    @Test func issuerAndAccountArePercentEncodedApart() {
        let uri = OTPAuthURI.totp(secret: [0xff], account: "jan: de Vries/ä?&=#", issuer: "Acme: B.V. & Zn")
        #expect(
            uri == "otpauth://totp/Acme%3A%20B.V.%20%26%20Zn:jan%3A%20de%20Vries%2F%C3%A4%3F%26%3D%23"
                + "?secret=74&issuer=Acme%3A%20B.V.%20%26%20Zn&algorithm=SHA1&digits=6&period=30")
    }
}

@Suite struct RecoveryCodesTests {
    @Test func tenCodesOfTwoGroupsOfFiveFromTheInjectedRandomness() {
        var asked: [Int] = []
        let codes = RecoveryCodes.generate { count in
            asked.append(count)
            return (0..<count).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        }
        #expect(asked == [100])
        #expect(codes.count == 10)
        #expect(codes[0] == "3ahrz-6dmv2")
        for code in codes {
            #expect(code.count == 11)
            #expect(Array(code)[5] == "-")
            #expect(code.replacingOccurrences(of: "-", with: "").allSatisfy { "0123456789abcdefghjkmnpqrstvwxyz".contains($0) })
            #expect(RecoveryCodes.normalize(code) == code)
        }
        #expect(RecoveryCodes.bitsPerCode >= 50)
    }

    @Test func everySymbolIsEquallyLikely() {
        // Byte values 0...255 each once: every one of the 32 symbols appears exactly 8 times.
        let codes = RecoveryCodes.generate(count: 256 / RecoveryCodes.symbolCount + 1) { count in
            (0..<count).map { UInt8(truncatingIfNeeded: $0) }
        }
        let symbols = codes.joined().replacingOccurrences(of: "-", with: "").prefix(256)
        let counts = Dictionary(grouping: symbols, by: { $0 }).mapValues(\.count)
        #expect(counts.count == 32)
        #expect(Set(counts.values) == [8])
    }

    @Test func realRandomnessGivesDistinctCodes() {
        var generator = SystemRandomNumberGenerator()
        let codes = RecoveryCodes.generate(count: 10_000) { count in (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        #expect(Set(codes).count == codes.count)
    }

    @Test func normalizeAcceptsCaseSpacesDashesAndLookAlikes() {
        for typed in [
            "k7m2q-x9fa3", "K7M2Q-X9FA3", "k7m2qx9fa3", " k7m2q x9fa3 ", "k7m2q – x9fa3", "K7M2Q\u{00A0}X9FA3", "k7m 2qx-9fa3", "k7m2q_x9fa3",
        ] {
            #expect(RecoveryCodes.normalize(typed) == "k7m2q-x9fa3", "\(typed)")
        }
        #expect(RecoveryCodes.normalize("0O1Il-abcde") == "00111-abcde")
        #expect(RecoveryCodes.normalize("10ILO-ABCDE") == "10110-abcde")
    }

    @Test func normalizeNeverTurnsSomethingElseIntoACode() {
        let code = "k7m2q-x9fa3"
        for typed in ["k7m2q-x9fa", "k7m2q-x9fa33", "k7m2q-x9fau", "k7m2q-x9fa3!", "k7m2q-x9fä3", "", "k7m2q-x9fa3k7m2q-x9fa3"] {
            #expect(RecoveryCodes.normalize(typed) != code, "\(typed)")
        }
        #expect(RecoveryCodes.normalize("k7m2q-x9fau") == "k7m2qx9fau")
    }
}
