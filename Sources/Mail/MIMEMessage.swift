import Foundation

/// Writes a `MailMessage` as an RFC 5322 / MIME message for SMTP: seven-bit clean, CRLF line ends,
/// no line longer than 78 characters except an unbreakable extra header (at most 998). The one
/// exception to seven bits is an internationalized address (RFC 6532), written as UTF-8: such a
/// message goes only to a server that offers SMTPUTF8 (`MailMessage.needsSMTPUTF8`).
///
/// Headers carry non-ASCII text as RFC 2047 encoded-words (UTF-8, base64, split on whole characters);
/// both bodies are UTF-8 quoted-printable parts of one multipart/alternative, plain text first.
public enum MIMEMessage {
    /// Headers the renderer writes itself: an extra header may not replace them.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version",
        "content-type", "content-transfer-encoding", "sender", "return-path",
    ]

    /// A boundary that cannot occur in a quoted-printable body: "=" followed by "_" is always encoded there.
    public static func makeBoundary() -> String {
        "=_ADSapp_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    }

    /// The whole message, headers and body, with CRLF line ends. Throws `MailError.permanent` for
    /// anything that would let a value break out of its header (CR or LF), an invalid address or
    /// header name, or an extra header that would replace one the renderer writes.
    public static func render(_ message: MailMessage, boundary: String = makeBoundary()) throws -> String {
        try validate(message)
        guard boundary.count <= 70, boundary.allSatisfy({ $0.isASCII && !$0.isNewline && $0 != "\"" }) else {
            throw MailError.permanent("invalid MIME boundary")
        }
        var lines: [String] = []
        lines.append(addressHeader("From", [message.from]))
        lines.append(addressHeader("To", message.to))
        if let replyTo = message.replyTo { lines.append(addressHeader("Reply-To", [replyTo])) }
        lines.append(unstructuredHeader("Subject", message.subject))
        lines.append("Date: " + rfc5322Date(message.date))
        lines.append("Message-ID: " + messageID(message.messageID))
        for header in message.headers { lines.append(extraHeader(header)) }
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
        var body = lines.joined(separator: "\r\n") + "\r\n\r\n"
        for (type, content) in [("text/plain", message.text), ("text/html", message.html)] {
            body += "--\(boundary)\r\n"
            body += "Content-Type: \(type); charset=utf-8\r\n"
            body += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            body += quotedPrintable(content) + "\r\n"
        }
        body += "--\(boundary)--\r\n"
        return body
    }

    // MARK: Validation

    /// Refuses values that would inject headers or that SMTP cannot carry.
    public static func validate(_ message: MailMessage) throws {
        try validateAddress(message.from, field: "From")
        guard !message.to.isEmpty else { throw MailError.permanent("a message needs at least one recipient") }
        for address in message.to { try validateAddress(address, field: "To") }
        if let replyTo = message.replyTo { try validateAddress(replyTo, field: "Reply-To") }
        try refuseLineBreaks(message.subject, field: "the subject")
        try refuseLineBreaks(message.messageID, field: "the Message-ID")
        guard message.messageID.allSatisfy({ $0.isASCII && $0 != " " }), message.messageID.contains("@") else {
            throw MailError.permanent("invalid Message-ID \(message.messageID.debugDescription)")
        }
        for header in message.headers {
            guard !header.name.isEmpty,
                header.name.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != ":" })
            else {
                throw MailError.permanent("invalid header name \(header.name.debugDescription)")
            }
            guard !reservedHeaders.contains(header.name.lowercased()) else {
                throw MailError.permanent("the extra header \(header.name) would replace one the message sets itself")
            }
            try refuseLineBreaks(header.value, field: "the \(header.name) header")
            guard header.name.count + 2 + header.value.utf8.count <= 998 else {
                throw MailError.permanent("the \(header.name) header is longer than 998 characters")
            }
        }
    }

    /// An address SMTP can carry: one `@`, nothing that ends or splits it. Letters beyond ASCII
    /// (`jörg@müller.de`) are allowed; they need SMTPUTF8, which the SMTP mailer checks.
    static func validateAddress(_ address: MailAddress, field: String) throws {
        if let name = address.name { try refuseLineBreaks(name, field: "the \(field) name") }
        let email = address.email
        try refuseLineBreaks(email, field: "the \(field) address")
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, email.utf8.count <= 254,
            email.unicodeScalars.allSatisfy({
                ($0.value > 32 && $0.value < 127 && !"<>()[],;:\\\"".unicodeScalars.contains($0))
                    || ($0.value > 159 && !$0.properties.isWhitespace && $0.properties.generalCategory != .format)
            })
        else {
            throw MailError.permanent("invalid \(field) address \(email.debugDescription)")
        }
    }

    static func refuseLineBreaks(_ value: String, field: String) throws {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw MailError.permanent("header injection refused: \(field) contains a line break")
        }
    }

    // MARK: Headers

    /// `Name: value` folded so each line stays within 78 characters where the value has spaces.
    static func extraHeader(_ header: MailHeader) -> String {
        let value: String
        if header.value.unicodeScalars.allSatisfy({ $0.isASCII }) {
            value = header.value
        } else {
            return unstructuredHeader(header.name, header.value)
        }
        return fold(header.name + ": ", words: value.split(separator: " ", omittingEmptySubsequences: false).map(String.init))
    }

    /// An unstructured header (Subject): written as is when short printable ASCII, otherwise as
    /// encoded-words on folded lines.
    static func unstructuredHeader(_ name: String, _ value: String) -> String {
        let prefix = name + ": "
        if isPlainASCII(value), prefix.count + value.count <= 78 {
            return prefix + value
        }
        return fold(prefix, words: encodedWords(value, firstLineRoom: 76 - prefix.count))
    }

    static func addressHeader(_ name: String, _ addresses: [MailAddress]) -> String {
        var words: [String] = []
        for (index, address) in addresses.enumerated() {
            var parts: [String] = []
            if let display = address.name, !display.isEmpty {
                parts += phrase(display)
            }
            parts.append("<\(address.email)>" + (index < addresses.count - 1 ? "," : ""))
            words += parts
        }
        return fold(name + ": ", words: words)
    }

    /// A display name: an atom sequence, a quoted string, or encoded-words.
    static func phrase(_ name: String) -> [String] {
        if isPlainASCII(name) {
            let atext = CharacterSet(
                charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
            if name.unicodeScalars.allSatisfy({ atext.contains($0) }), !name.hasPrefix(" "), !name.hasSuffix(" ") {
                return name.split(separator: " ").map(String.init)
            }
            if name.count <= 60 {
                let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                return ["\"\(escaped)\""]
            }
        }
        return encodedWords(name, firstLineRoom: 60)
    }

    /// Printable ASCII (and spaces) that no decoder could mistake for an encoded-word.
    static func isPlainASCII(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value < 127 } && !value.contains("=?")
            && !value.hasPrefix(" ") && !value.hasSuffix(" ") && !value.contains("  ")
    }

    /// `=?utf-8?b?...?=` words of at most 75 characters, each holding whole Unicode scalars.
    static func encodedWords(_ text: String, firstLineRoom: Int) -> [String] {
        let overhead = "=?utf-8?b??=".count
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?utf-8?b?" + Data(chunk).base64EncodedString() + "?=")
            chunk = []
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            let room = words.isEmpty ? min(75, max(firstLineRoom, 20)) : 75
            let maxBytes = (room - overhead) / 4 * 3
            if chunk.count + bytes.count > maxBytes { flush() }
            chunk += bytes
        }
        flush()
        return words.isEmpty ? ["=?utf-8?b??="] : words
    }

    /// Joins words with spaces, starting a new folded line (CRLF + space) before a word that would
    /// pass 78 characters. A single word longer than that stays whole on its own line.
    static func fold(_ prefix: String, words: [String]) -> String {
        var result = prefix
        var lineLength = prefix.count
        var first = true
        for word in words {
            if first {
                result += word
                lineLength += word.count
                first = false
            } else if lineLength + 1 + word.count > 78 {
                result += "\r\n " + word
                lineLength = 1 + word.count
            } else {
                result += " " + word
                lineLength += 1 + word.count
            }
        }
        return result
    }

    static func messageID(_ id: String) -> String {
        id.hasPrefix("<") && id.hasSuffix(">") ? id : "<\(id)>"
    }

    /// `Sat, 05 Dec 2026 08:40:39 +0000`: English names whatever the machine's locale.
    public static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    // MARK: Quoted-printable

    /// RFC 2045 quoted-printable of UTF-8 text: line breaks become CRLF, lines at most 76 characters
    /// (soft breaks `=`), trailing spaces and tabs encoded, `=` and non-ASCII as `=XX`.
    public static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var encoded: [[UInt8]] = []
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                encoded.append(literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
            var current: [UInt8] = []
            var physical: [String] = []
            for (index, token) in encoded.enumerated() {
                let isLast = index == encoded.count - 1
                // Room for the token, plus a soft-break "=" unless this token ends the line.
                let limit = isLast ? 76 : 75
                if current.count + token.count > limit {
                    physical.append(String(decoding: current + [UInt8(ascii: "=")], as: UTF8.self))
                    current = []
                }
                current += token
            }
            physical.append(String(decoding: current, as: UTF8.self))
            output.append(physical.joined(separator: "\r\n"))
        }
        return output.joined(separator: "\r\n")
    }
}
