import Foundation

/// The one rule for redirect targets that come from a request (`next`, `return_to`, any other):
/// only a path on this site survives; everything else becomes the caller's default.
///
/// Browsers are lenient with `Location`: they drop tabs and newlines anywhere, trim spaces and
/// control characters, read `\` as `/`, and a later hop (a proxy, a second redirect) may decode
/// `%2F`. So the candidate is judged the way the most lenient reader would see it: control
/// characters and whitespace removed, then percent-decoded once; both readings must be a path
/// that starts with exactly one `/`. What is returned is the cleaned candidate, still encoded,
/// so a query such as `?q=a%26b` keeps its meaning.
enum SafeRedirect {
    /// Longer targets are not ours: our own links are short.
    static let maxLength = 2048

    /// The candidate as a local path, or `nil` when it could leave the site.
    static func localPath(_ candidate: String?) -> String? {
        guard let candidate, candidate.utf8.count <= maxLength else { return nil }
        let cleaned = String(String.UnicodeScalarView(candidate.unicodeScalars.filter { !isInvisible($0) }))
        guard isLocal(cleaned), let decoded = cleaned.removingPercentEncoding, isLocal(decoded) else { return nil }
        // What the path part decodes to must itself be clean: `/%09/evil` reads as `/\t/evil` to a decoding hop.
        let decodedPath = decoded.prefix { $0 != "?" && $0 != "#" }
        guard !decodedPath.unicodeScalars.contains(where: isInvisible) else { return nil }
        // Plain printable ASCII on the wire; anything else is percent-encoded (a `%` already there stays).
        return cleaned.addingPercentEncoding(withAllowedCharacters: wireSafe)
    }

    /// The candidate when it is a local path, otherwise `fallback`.
    static func target(_ candidate: String?, default fallback: String) -> String {
        localPath(candidate) ?? fallback
    }

    /// Starts with one `/` and contains no `\` (which browsers read as `/`, so `/\evil` is `//evil`).
    private static func isLocal(_ path: String) -> Bool {
        let start = Array(path.unicodeScalars.prefix(2))
        guard start.first == "/" else { return false }
        if start.count == 2, start[1] == "/" || start[1] == "\\" { return false }
        return !path.unicodeScalars.prefix { $0 != "?" && $0 != "#" }.contains("\\")
    }

    /// Control characters (C0, DEL, C1), whitespace of every script, and invisible format characters.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.generalCategory == .control || properties.isWhitespace
            || properties.generalCategory == .format || properties.generalCategory == .lineSeparator
            || properties.generalCategory == .paragraphSeparator
    }

    private static let wireSafe: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: Unicode.Scalar(0x21)...Unicode.Scalar(0x7E))
        return set
    }()
}
