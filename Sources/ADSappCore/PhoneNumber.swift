/// Phone numbers as we store and compare them: E.164 ("+31612345678").
///
/// Our own small numbering-plan table (no library): per country its calling code, national trunk
/// prefix, the lengths of its national significant numbers (NSN) and a pattern of the leading digits
/// that tells a real number from garbage. Precise enough to normalize what people type and to refuse
/// typos; it is not a full numbering plan. `PhoneNumberCrossCheckTests` compares it with Python's
/// `phonenumbers` on a generated corpus and lists every known difference with its reason.
public enum PhoneNumber {
    /// E.164 ("+31612345678") from what a person typed: spaces, dashes, dots, brackets, a leading
    /// "+" or "00" (international; "011" too when the default country is in North America), or a
    /// national number with its trunk prefix ("06 1234 5678") read in `defaultCountry`
    /// (ISO 3166 alpha-2, "NL"). "+31 (0)6 ..." is understood; Italy keeps its leading 0.
    public static func e164(_ input: String, defaultCountry: String) throws(PhoneNumberError) -> String {
        let (digits, international) = try scan(input)
        if international {
            return try internationalNumber(digits)
        }
        let region = defaultCountry.uppercased()
        guard let plan = NumberingPlan.byRegion[region] else { throw .unknownCountry(defaultCountry) }
        if let prefix = plan.internationalPrefix(region: region), digits.hasPrefix(prefix) {
            return try internationalNumber(String(digits.dropFirst(prefix.count)))
        }
        if let nsn = plan.validNSN(digits) { return "+" + plan.callingCode + nsn }
        // "31612345678" typed without "+" or "00" in the Netherlands: the calling code of the
        // default country followed by a valid number.
        if digits.hasPrefix(plan.callingCode), let nsn = plan.validNSN(String(digits.dropFirst(plan.callingCode.count))) {
            return "+" + plan.callingCode + nsn
        }
        throw plan.refusal(for: digits)
    }

    /// The countries whose national formats we know (for the settings page's country list), sorted.
    public static var countries: [String] { NumberingPlan.all.map(\.region).sorted() }

    /// The calling code of a country we know ("NL" -> "31").
    public static func callingCode(of country: String) -> String? {
        NumberingPlan.byRegion[country.uppercased()]?.callingCode
    }

    // MARK: - Parsing

    /// The digits of the input and whether it was written internationally ("+" or "00").
    private static func scan(_ input: String) throws(PhoneNumberError) -> (digits: String, international: Bool) {
        var digits = ""
        var plus = false
        var sawDigit = false
        for character in input {
            if let ascii = character.asciiValue, (48...57).contains(ascii) {
                digits.append(character)
                sawDigit = true
            } else if character == "+" {
                guard !sawDigit, !plus else { throw .invalidCharacter(character) }
                plus = true
            } else if character.isWhitespace || "-.()/\u{2010}\u{2011}\u{2012}\u{2013}\u{2014}".contains(character) {
                continue
            } else {
                throw .invalidCharacter(character)
            }
        }
        guard !digits.isEmpty else { throw .empty }
        if plus { return (digits, true) }
        if digits.hasPrefix("00") { return (String(digits.dropFirst(2)), true) }
        return (digits, false)
    }

    /// Digits after "+" / "00": calling code, then the national number (a trunk "0" after the
    /// calling code, as in "+31 (0)6 ...", is dropped where the country uses one).
    private static func internationalNumber(_ digits: String) throws(PhoneNumberError) -> String {
        guard let first = digits.first, first != "0" else { throw .invalidCountryCode }
        guard digits.count <= 15 + 1 else { throw .tooLongForE164(digits: digits.count) }
        for length in 1...3 where digits.count > length {
            let code = String(digits.prefix(length))
            let plans = NumberingPlan.byCallingCode[code] ?? []
            guard !plans.isEmpty else { continue }
            let rest = String(digits.dropFirst(length))
            for plan in plans {
                if let nsn = plan.validNSN(rest) { return "+" + code + nsn }
            }
            throw plans[0].refusal(for: rest)
        }
        // A country whose plan we do not know: E.164's own limits only.
        guard digits.count >= 8 else { throw .tooShort(country: nil, digits: digits.count, minimum: 8) }
        guard digits.count <= 15 else { throw .tooLongForE164(digits: digits.count) }
        return "+" + digits
    }
}

/// Why a phone number was refused, in plain English.
public enum PhoneNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case invalidCharacter(Character)
    case unknownCountry(String)
    case invalidCountryCode
    case tooShort(country: String?, digits: Int, minimum: Int)
    case tooLong(country: String, digits: Int, maximum: Int)
    case tooLongForE164(digits: Int)
    case notANumberIn(country: String)

    public var description: String {
        switch self {
        case .empty:
            return "The phone number is empty."
        case .invalidCharacter(let character):
            return "A phone number holds only digits, spaces, dashes, dots, brackets and a leading \"+\"; \"\(character)\" is not allowed."
        case .unknownCountry(let country):
            return "\"\(country)\" is not a country whose phone numbers we know; write the number with \"+\" and its country code."
        case .invalidCountryCode:
            return "A country code never starts with 0; write the number as \"+31 6 ...\" or \"0031 6 ...\"."
        case .tooShort(let country?, let digits, let minimum):
            return "Too short for a phone number in \(country): \(digits) digits after the country code, at least \(minimum) expected."
        case .tooShort(nil, let digits, let minimum):
            return "Too short for a phone number: \(digits) digits, at least \(minimum) expected."
        case .tooLong(let country, let digits, let maximum):
            return "Too long for a phone number in \(country): \(digits) digits after the country code, at most \(maximum) expected."
        case .tooLongForE164(let digits):
            return "Too long for a phone number: \(digits) digits, at most 15 in international format."
        case .notANumberIn(let country):
            return "This is not a valid phone number in \(country): its first digits do not belong to any number there."
        }
    }
}

/// One country's numbering plan, as much as normalization needs.
struct NumberingPlan: Sendable {
    let region: String
    let callingCode: String
    /// The national trunk prefix dialled before the NSN inside the country ("0"), if any.
    let trunk: String?
    /// The lengths an NSN can have (for "too short" / "too long").
    let lengths: ClosedRange<Int>
    /// A valid NSN matches this pattern as a whole.
    let pattern: String

    func matches(_ nsn: String) -> Bool {
        guard lengths.contains(nsn.count), let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: nsn)) != nil
    }

    /// The NSN in `digits` (a national number with or without its trunk prefix), if valid.
    func validNSN(_ digits: String) -> String? {
        if let trunk, digits.hasPrefix(trunk) {
            let stripped = String(digits.dropFirst(trunk.count))
            if matches(stripped) { return stripped }
        }
        // Mexico: the old mobile "1" after the country code (+52 1 55 ...) is no longer dialled.
        if region == "MX", digits.count == 11, digits.hasPrefix("1") {
            let stripped = String(digits.dropFirst())
            if matches(stripped) { return stripped }
        }
        return matches(digits) ? digits : nil
    }

    /// The clearest reason `digits` is not a number here.
    func refusal(for digits: String) -> PhoneNumberError {
        var nsn = digits
        if let trunk, nsn.hasPrefix(trunk), nsn.count > trunk.count { nsn.removeFirst(trunk.count) }
        if nsn.count < lengths.lowerBound { return .tooShort(country: region, digits: nsn.count, minimum: lengths.lowerBound) }
        if nsn.count > lengths.upperBound { return .tooLong(country: region, digits: nsn.count, maximum: lengths.upperBound) }
        return .notANumberIn(country: region)
    }

    /// The international call prefix that can start a national-looking number ("011" in North America).
    func internationalPrefix(region: String) -> String? {
        callingCode == "1" ? "011" : nil
    }

    static let byRegion: [String: NumberingPlan] = Dictionary(uniqueKeysWithValues: all.map { ($0.region, $0) })
    static let byCallingCode: [String: [NumberingPlan]] = Dictionary(grouping: all, by: \.callingCode)

    private static let nanp = "[2-9]\\d{2}[2-9]\\d{6}"

    /// The countries we know. Patterns follow the national plans (mobile and geographic ranges);
    /// where a plan is very irregular (DE, AT, FI) the pattern is the plan's outline.
    static let all: [NumberingPlan] = [
        .init(
            region: "NL", callingCode: "31", trunk: "0", lengths: 7...10,
            pattern: "(?:[1-57]\\d|6[1-68]|8[4578]|9[17])\\d{7}|800\\d{4,7}|90[069]\\d{4,7}"),
        .init(
            region: "BE", callingCode: "32", trunk: "0", lengths: 8...9,
            pattern: "4[5-9]\\d{7}|[1-35-9]\\d{7}"),
        .init(
            region: "DE", callingCode: "49", trunk: "0", lengths: 6...13,
            pattern: "1(?:5\\d{9}|6\\d{8,9}|7\\d{9})|[2-9]\\d{5,12}"),
        .init(region: "FR", callingCode: "33", trunk: "0", lengths: 9...9, pattern: "[1-9]\\d{8}"),
        .init(
            region: "GB", callingCode: "44", trunk: "0", lengths: 9...10,
            pattern: "[1-3]\\d{8,9}|7[1-57-9]\\d{8}|(?:5[56]|8[047]|9[018])\\d{8}"),
        .init(
            region: "IE", callingCode: "353", trunk: "0", lengths: 7...9,
            pattern: "8[35-9]\\d{7}|1\\d{7,8}|[2-79]\\d{6,8}"),
        .init(region: "ES", callingCode: "34", trunk: nil, lengths: 9...9, pattern: "[5-9]\\d{8}"),
        .init(
            region: "PT", callingCode: "351", trunk: nil, lengths: 9...9,
            pattern: "2\\d{8}|9[1236]\\d{7}|[78]\\d{8}"),
        .init(
            region: "IT", callingCode: "39", trunk: nil, lengths: 6...11,
            pattern: "0\\d{5,10}|3\\d{8,9}|8\\d{5,9}"),
        .init(region: "AT", callingCode: "43", trunk: "0", lengths: 4...13, pattern: "6\\d{6,12}|[1-57-9]\\d{3,12}"),
        .init(region: "CH", callingCode: "41", trunk: "0", lengths: 9...9, pattern: "[2-9]\\d{8}"),
        .init(
            region: "LU", callingCode: "352", trunk: nil, lengths: 4...11,
            pattern: "6[269][18]\\d{6}|[2-578]\\d{3,10}"),
        .init(region: "DK", callingCode: "45", trunk: nil, lengths: 8...8, pattern: "[2-9]\\d{7}"),
        .init(
            region: "SE", callingCode: "46", trunk: "0", lengths: 7...9,
            pattern: "7[02369]\\d{7}|[1-689]\\d{6,8}"),
        .init(region: "NO", callingCode: "47", trunk: nil, lengths: 8...8, pattern: "[2-9]\\d{7}"),
        .init(
            region: "FI", callingCode: "358", trunk: "0", lengths: 6...12,
            pattern: "4\\d{5,9}|50\\d{4,8}|[1-35-9]\\d{5,9}"),
        .init(region: "PL", callingCode: "48", trunk: nil, lengths: 9...9, pattern: "[1-9]\\d{8}"),
        .init(region: "CZ", callingCode: "420", trunk: nil, lengths: 9...9, pattern: "[2-9]\\d{8}"),
        .init(
            region: "TR", callingCode: "90", trunk: "0", lengths: 10...10,
            pattern: "(?:[2-4]\\d|5\\d|8[05])\\d{8}"),
        .init(region: "MA", callingCode: "212", trunk: "0", lengths: 9...9, pattern: "[5-8]\\d{8}"),
        .init(
            region: "SR", callingCode: "597", trunk: nil, lengths: 6...7,
            pattern: "[2-5]\\d{5}|[6-8]\\d{6}"),
        .init(region: "CW", callingCode: "599", trunk: nil, lengths: 8...8, pattern: "9\\d{7}"),
        .init(region: "BQ", callingCode: "599", trunk: nil, lengths: 7...7, pattern: "[347]\\d{6}"),
        .init(region: "AW", callingCode: "297", trunk: nil, lengths: 7...7, pattern: "[25-9]\\d{6}"),
        .init(region: "US", callingCode: "1", trunk: "1", lengths: 10...10, pattern: nanp),
        .init(region: "CA", callingCode: "1", trunk: "1", lengths: 10...10, pattern: nanp),
        .init(region: "MX", callingCode: "52", trunk: nil, lengths: 10...10, pattern: "[1-9]\\d{9}"),
        .init(
            region: "BR", callingCode: "55", trunk: "0", lengths: 10...11,
            pattern: "[1-9][1-9](?:[2-5]\\d{7}|9\\d{8})"),
        .init(region: "IN", callingCode: "91", trunk: "0", lengths: 10...10, pattern: "[1-9]\\d{9}"),
        .init(
            region: "ID", callingCode: "62", trunk: "0", lengths: 8...12,
            pattern: "8[1-9]\\d{6,10}|[2-7]\\d{6,9}"),
        .init(region: "ZA", callingCode: "27", trunk: "0", lengths: 9...9, pattern: "[1-8]\\d{8}"),
        .init(
            region: "NG", callingCode: "234", trunk: "0", lengths: 7...10,
            pattern: "[7-9][01]\\d{8}|[1-9]\\d{6,9}"),
        .init(region: "AU", callingCode: "61", trunk: "0", lengths: 9...9, pattern: "[2-478]\\d{8}"),
        .init(region: "NZ", callingCode: "64", trunk: "0", lengths: 8...10, pattern: "2\\d{7,9}|[3-9]\\d{7}"),
        .init(region: "GR", callingCode: "30", trunk: nil, lengths: 10...10, pattern: "2\\d{9}|69\\d{8}"),
        .init(region: "RO", callingCode: "40", trunk: "0", lengths: 9...9, pattern: "[237]\\d{8}"),
        .init(region: "AE", callingCode: "971", trunk: "0", lengths: 8...9, pattern: "5\\d{8}|[2-79]\\d{7}"),
        .init(region: "GH", callingCode: "233", trunk: "0", lengths: 9...9, pattern: "[235]\\d{8}"),
        .init(region: "KE", callingCode: "254", trunk: "0", lengths: 9...9, pattern: "[17]\\d{8}|[2-6]\\d{8}"),
        .init(region: "JP", callingCode: "81", trunk: "0", lengths: 9...10, pattern: "[1-9]\\d{8,9}"),
    ]
}
