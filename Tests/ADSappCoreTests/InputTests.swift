import Foundation
import ADSappCore
import Testing

@Suite struct LanguageNegotiationTests {
    @Test(
        arguments: [
            ("nl-NL,nl;q=0.9,en;q=0.8", Language.nl),
            ("en-US,en;q=0.9", .en),
            ("de-DE,nl;q=0.5,en;q=0.7", .en),
            ("de-DE,nl;q=0.7,en;q=0.5", .nl),
            ("fr, NL", .nl),
            ("en;q=0, nl;q=0.1", .nl),
            ("*", nil),
            ("", nil),
            ("de, fr", nil),
        ] as [(String, Language?)])
    func negotiate(_ header: String, _ expected: Language?) {
        #expect(Language.negotiate(acceptLanguage: header) == expected)
    }
}

@Suite struct EmailAddressTests {
    @Test func normalizes() throws {
        #expect(try EmailAddress("  Anna@Example.COM ").value == "anna@example.com")
    }

    @Test(arguments: [
        "", "   ", "anna", "anna@", "@example.com", "anna@example", "anna@@example.com", "an na@example.com", "anna@example..com", "anna@.example.com",
    ])
    func refuses(_ raw: String) {
        #expect(throws: FieldError.self) { try EmailAddress(raw) }
    }

    @Test func tooLong() {
        let local = String(repeating: "a", count: 65)
        #expect(throws: FieldError(field: "email", code: .invalidEmail)) { try EmailAddress("\(local)@example.com") }
        #expect(throws: FieldError(field: "email", code: .tooLong, limit: 254)) {
            try EmailAddress("a@" + String(repeating: "b", count: 250) + ".nl")
        }
    }
}

@Suite struct PasswordPolicyTests {
    let email = try! EmailAddress("anna.devries@example.com")

    @Test func accepts() throws {
        try PasswordPolicy.check("correct-horse-battery-staple-42", email: email)
        try PasswordPolicy.check("tien tekens", email: nil)
    }

    @Test(arguments: [
        ("", FieldError.Code.required),
        ("short", .tooShort),
        ("123456789", .tooShort),
        ("password123", .tooCommon),
        ("Wachtwoord123", .tooCommon),
        ("aaaaaaaaaaaa", .tooCommon),
        ("abababababab", .tooCommon),
        ("my anna.devries secret", .containsEmail),
        (String(repeating: "x1", count: 37), .tooLong),
    ])
    func refuses(_ password: String, _ code: FieldError.Code) {
        #expect(throws: FieldError.self) { try PasswordPolicy.check(password, email: email) }
        do { try PasswordPolicy.check(password, email: email) } catch { #expect(error.code == code) }
    }

    @Test("bcrypt's 72-byte limit counts bytes, not characters")
    func multibyte() {
        let emoji = String(repeating: "🔑", count: 19)  // 76 bytes, 19 characters
        #expect(throws: FieldError(field: "password", code: .tooLong, limit: 72)) { try PasswordPolicy.check(emoji, email: nil) }
    }
}

@Suite struct DisplayNameTests {
    @Test func trimsAndStripsControlCharacters() throws {
        #expect(try DisplayName("  Bakkerij\u{0007} Anna \n", field: "name").value == "Bakkerij Anna")
    }

    @Test func refusesEmptyAndLong() {
        #expect(throws: FieldError(field: "name", code: .required)) { try DisplayName("  \n ", field: "name") }
        #expect(throws: FieldError(field: "name", code: .tooLong, limit: 100)) { try DisplayName(String(repeating: "x", count: 101), field: "name") }
    }
}

@Suite struct PageRequestTests {
    @Test func defaults() throws {
        let page = try PageRequest(limit: nil, cursor: nil)
        #expect(page == PageRequest(limit: 25, cursor: nil))
    }

    @Test(arguments: ["1", "50", "100", " 7 "])
    func acceptsLimits(_ raw: String) throws {
        let page = try PageRequest(limit: raw, cursor: nil)
        #expect(page.limit == Int(raw.trimmingCharacters(in: .whitespaces)))
    }

    @Test(arguments: [
        ("abc", FieldError.Code.notAnInteger), ("", .notAnInteger), ("1.5", .notAnInteger), ("1e3", .notAnInteger),
        ("-1", .outOfRange), ("0", .outOfRange), ("101", .outOfRange), ("99999999999999999999", .notAnInteger),
    ])
    func refusesLimits(_ raw: String, _ code: FieldError.Code) {
        #expect(throws: ValidationFailure([FieldError(field: "limit", code: code, limit: code == .outOfRange ? 100 : nil)])) {
            try PageRequest(limit: raw, cursor: nil)
        }
    }

    @Test func refusesMalformedCursor() {
        #expect(throws: ValidationFailure.self) { try PageRequest(limit: nil, cursor: "") }
        #expect(throws: ValidationFailure.self) { try PageRequest(limit: nil, cursor: "a b") }
        #expect(throws: ValidationFailure.self) { try PageRequest(limit: nil, cursor: String(repeating: "a", count: 201)) }
    }

    @Test func reportsEveryProblemAtOnce() {
        do {
            _ = try PageRequest(limit: "x", cursor: "!")
            Issue.record("expected a failure")
        } catch {
            #expect(error.errors.map(\.field) == ["limit", "cursor"])
        }
    }
}
