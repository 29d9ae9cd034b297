import Foundation

/// The words a customer sends to stop or restart marketing messages. An organization may set its
/// own lists (`Organization.optOutKeywords` / `optInKeywords`, comma separated); without them the
/// defaults hold, Dutch and English. A message matches only when it is the word alone: case and
/// surrounding spaces, punctuation and symbols ("Stop!", "stop.", " STOPPEN ") do not matter, other
/// words do ("stop calling me please" is no opt-out).
struct MarketingKeywords: Sendable, Equatable {
    static let defaultOptOut = ["STOP", "STOPPEN", "AFMELDEN", "UNSUBSCRIBE"]
    static let defaultOptIn = ["START"]

    /// In the order given: the first is named in the confirmations.
    let optOut: [String]
    let optIn: [String]

    enum Meaning: Sendable, Equatable {
        case optOut, optIn
    }

    init(optOut: [String] = Self.defaultOptOut, optIn: [String] = Self.defaultOptIn) {
        self.optOut = optOut
        self.optIn = optIn
    }

    /// From an organization's stored lists; an empty or missing list keeps the defaults.
    init(optOutList: String?, optInList: String?) {
        self.init(optOut: Self.words(optOutList) ?? Self.defaultOptOut, optIn: Self.words(optInList) ?? Self.defaultOptIn)
    }

    init(of organization: Organization) {
        self.init(optOutList: organization.optOutKeywords, optInList: organization.optInKeywords)
    }

    /// The words of a comma separated list, normalized; nil when there are none.
    static func words(_ list: String?) -> [String]? {
        var seen: Set<String> = []
        let words = (list ?? "").split(separator: ",").map { normalized(String($0)) }.filter { !$0.isEmpty && seen.insert($0).inserted }
        return words.isEmpty ? nil : words
    }

    /// What a customer's message means, if it is one of the words. Opting out wins should a word be in both lists.
    func meaning(of text: String) -> Meaning? {
        let word = Self.normalized(text)
        guard !word.isEmpty, word.count <= Self.longestWord else { return nil }
        if optOut.contains(word) { return .optOut }
        if optIn.contains(word) { return .optIn }
        return nil
    }

    /// Longer messages are never a keyword: skipped before anything is read.
    static let longestWord = 40

    /// Upper case, without the spaces, punctuation and symbols around it; inner spaces collapsed.
    static func normalized(_ text: String) -> String {
        let edges = CharacterSet.whitespacesAndNewlines.union(.punctuationCharacters).union(.symbols).union(.controlCharacters)
        let trimmed = text.unicodeScalars.drop { edges.contains($0) }.reversed().drop { edges.contains($0) }.reversed()
        let words = String(String.UnicodeScalarView(trimmed)).split(whereSeparator: \.isWhitespace)
        return words.joined(separator: " ").uppercased()
    }
}
