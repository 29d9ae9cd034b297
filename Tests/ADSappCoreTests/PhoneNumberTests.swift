import ADSappCore
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("06 1234 5678", "NL", "+31612345678"),
        ("06-12345678", "NL", "+31612345678"),
        ("(06) 12.34.56.78", "NL", "+31612345678"),
        ("+31 6 12345678", "NL", "+31612345678"),
        ("+31 (0)6 1234 5678", "NL", "+31612345678"),
        ("0031 6 1234 5678", "DE", "+31612345678"),
        ("31612345678", "NL", "+31612345678"),
        ("020 794 0958", "NL", "+31207940958"),
        ("030 12345678", "DE", "+493012345678"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("+44 (0)20 7946 0958", "NL", "+442079460958"),
        ("07700 900123", "GB", "+447700900123"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("06 1234 5678", "IT", "+39061234567" + "8"),
        ("+39 06 1234 5678", "NL", "+390612345678"),
        ("+39 312 345 6789", "NL", "+393123456789"),
        ("(212) 736-5000", "US", "+12127365000"),
        ("1-212-736-5000", "US", "+12127365000"),
        ("011 31 6 12345678", "US", "+31612345678"),
        ("+52 1 55 1234 5678", "NL", "+525512345678"),
        ("(11) 91234-5678", "BR", "+5511912345678"),
        ("+597 812 3456", "NL", "+5978123456"),
        ("+599 9 512 3456", "NL", "+59995123456"),
        ("+297 560 1234", "NL", "+2975601234"),
        ("612 345 678", "ES", "+34612345678"),
    ])
    func normalizes(input: String, country: String, expected: String) throws {
        #expect(try PhoneNumber.e164(input, defaultCountry: country) == expected)
    }

    @Test func refusesGarbageWithClearReasons() {
        #expect(throws: PhoneNumberError.empty) { try PhoneNumber.e164("  - ", defaultCountry: "NL") }
        #expect(throws: PhoneNumberError.invalidCharacter("a")) { try PhoneNumber.e164("06 abc", defaultCountry: "NL") }
        #expect(throws: PhoneNumberError.invalidCharacter("+")) { try PhoneNumber.e164("06+123", defaultCountry: "NL") }
        #expect(throws: PhoneNumberError.unknownCountry("XX")) { try PhoneNumber.e164("0612345678", defaultCountry: "XX") }
        #expect(throws: PhoneNumberError.tooShort(country: "NL", digits: 5, minimum: 7)) {
            try PhoneNumber.e164("06 1234", defaultCountry: "NL")
        }
        #expect(throws: PhoneNumberError.tooLong(country: "NL", digits: 12, maximum: 10)) {
            try PhoneNumber.e164("06 1234 5678 901", defaultCountry: "NL")
        }
        #expect(throws: PhoneNumberError.notANumberIn(country: "NL")) { try PhoneNumber.e164("06 9234 5678", defaultCountry: "NL") }
        #expect(throws: PhoneNumberError.invalidCountryCode) { try PhoneNumber.e164("+0612345678", defaultCountry: "NL") }
        #expect(throws: PhoneNumberError.tooLongForE164(digits: 17)) { try PhoneNumber.e164("+99912345678901234", defaultCountry: "NL") }
        #expect(PhoneNumberError.tooShort(country: "NL", digits: 5, minimum: 7).description.contains("Too short"))
    }

    @Test func knowsAtLeastTwentyFiveCountries() {
        let countries = PhoneNumber.countries
        #expect(countries.count >= 25)
        for country in [
            "NL", "BE", "DE", "FR", "GB", "IE", "ES", "PT", "IT", "AT", "CH", "LU", "DK", "SE", "NO", "FI", "PL", "CZ",
            "TR", "MA", "SR", "CW", "AW", "US", "CA", "MX", "BR", "IN", "ID", "ZA", "NG", "AU",
        ] {
            #expect(countries.contains(country))
        }
        #expect(PhoneNumber.callingCode(of: "nl") == "31")
    }
}
