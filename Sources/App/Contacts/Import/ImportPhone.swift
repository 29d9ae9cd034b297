import Foundation

/// The phone numbers of an import in E.164. Calls `PhoneNumber.e164` (contract 1) once it exists;
/// until then this small reading of the same formats stands in. Delete this file then and call it directly.
enum ImportPhone {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    private static let countryCodes: [String: String] = [
        "NL": "31", "BE": "32", "DE": "49", "FR": "33", "GB": "44", "ES": "34", "IT": "39", "US": "1", "AT": "43", "CH": "41",
        "LU": "352", "DK": "45", "SE": "46", "NO": "47", "PL": "48", "PT": "351", "IE": "353",
    ]

    static func e164(_ input: String, defaultCountry: String) throws(Invalid) -> String {
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Invalid(description: "the phone number is empty") }
        var digits = ""
        for (index, character) in trimmed.enumerated() {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if character == "+", index == 0 {
                digits.append("+")
            } else if !" -.()/\u{00A0}".contains(character) {
                throw Invalid(description: "\"\(input.prefix(40))\" is not a phone number")
            }
        }
        var international: String
        if digits.hasPrefix("+") {
            international = String(digits.dropFirst())
        } else if digits.hasPrefix("00") {
            international = String(digits.dropFirst(2))
        } else if digits.hasPrefix("0"), let code = countryCodes[defaultCountry.uppercased()] {
            international = code + digits.dropFirst()
        } else {
            international = digits
        }
        international = international.filter(\.isNumber)
        guard (8...15).contains(international.count), !international.hasPrefix("0") else {
            throw Invalid(description: "\"\(input.prefix(40))\" is not a phone number")
        }
        return "+" + international
    }
}
