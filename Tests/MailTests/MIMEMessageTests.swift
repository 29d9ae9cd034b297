import Foundation
import Mail
import Testing

/// A message with Dutch, emoji and long text in every place an encoder can get wrong.
func sampleMessage(to recipient: String = "anna@example.test", id: String = UUID().uuidString) -> MailMessage {
    MailMessage(
        from: MailAddress("noreply@adsapp.test", name: "Bakkerij Één — ADSapp"),
        to: [MailAddress(recipient, name: "Anna de Vries-Çelik 👩🏽‍💻")],
        replyTo: MailAddress("support@adsapp.test", name: "Support, \"team\""),
        subject:
            "Uitnodiging: word lid van Bakkerij Één 🍞 — een heel lange onderwerpregel die zeker over de achtenzeventig tekens gaat",
        text: """
            Hallo Anna,

            Je bent uitgenodigd. Open deze link: https://adsapp.test/invitations/accept?token=abc=def&x=1
            .een regel die met een punt begint
            Een regel met spaties aan het eind   
            \(String(repeating: "lange regel zonder einde ", count: 8))
            Groeten, 🍞
            """,
        html: """
            <p>Hallo <b>Anna</b>, je bent uitgenodigd bij “Bakkerij Één”.</p>
            <p><a href="https://adsapp.test/invitations/accept?token=abc=def&amp;x=1">Accepteren</a></p>
            \(String(repeating: "<span>tekst</span>", count: 20))
            """,
        headers: [
            MailHeader("List-Unsubscribe", "<https://adsapp.test/unsubscribe/\(id)>, <mailto:unsubscribe@adsapp.test>"),
            MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ],
        messageID: "<\(id)@adsapp.test>",
        date: Date(timeIntervalSince1970: 1_780_000_000),
        idempotencyKey: "invitation/\(id)")
}

@Suite("MIME messages")
struct MIMEMessageTests {
    @Test("Python's email package reads back the names, subject, headers and both parts exactly")
    func roundTripThroughPython() async throws {
        let message = sampleMessage()
        let raw = try MIMEMessage.render(message)
        let parsed = try ParsedMessage.parse(raw)

        #expect(parsed.defects == [])
        #expect(parsed.subject == message.subject)
        #expect(parsed.from == [.init(name: "Bakkerij Één — ADSapp", email: "noreply@adsapp.test")])
        #expect(parsed.to == [.init(name: "Anna de Vries-Çelik 👩🏽‍💻", email: "anna@example.test")])
        #expect(parsed.reply_to == [.init(name: "Support, \"team\"", email: "support@adsapp.test")])
        #expect(parsed.message_id == message.messageID)
        #expect(parsed.date == "2026-05-28T20:26:40+00:00")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("List-Unsubscribe") == message.headers[0].value)
        #expect(parsed.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(parsed.content_type == "multipart/alternative")
        #expect(parsed.parts.map(\.content_type) == ["text/plain", "text/html"])
        #expect(parsed.parts.allSatisfy { $0.charset == "utf-8" && $0.transfer_encoding == "quoted-printable" })
        #expect(parsed.content("text/plain") == message.text)
        #expect(parsed.content("text/html") == message.html)
        // Only the unbreakable unsubscribe URL may pass 78 characters.
        #expect(parsed.long_lines.allSatisfy { $0.hasPrefix("List-Unsubscribe: <https:") && $0.count < 998 }, "\(parsed.long_lines)")
        #expect(parsed.bare_newlines == 0)
    }

    @Test("Plain ASCII stays readable; the Date is RFC 5322 in English whatever the locale")
    func plainHeaders() throws {
        var message = sampleMessage()
        message.subject = "Your password reset link"
        message.from = MailAddress("noreply@adsapp.test", name: "ADSapp")
        message.to = [MailAddress("bob@example.test")]
        message.replyTo = nil
        let raw = try MIMEMessage.render(message, boundary: "=_b")
        #expect(raw.contains("\r\nSubject: Your password reset link\r\n"))
        #expect(raw.hasPrefix("From: ADSapp <noreply@adsapp.test>\r\nTo: <bob@example.test>\r\n"))
        #expect(raw.contains("\r\nDate: Thu, 28 May 2026 20:26:40 +0000\r\n"))
        #expect(raw.contains("Content-Type: multipart/alternative;\r\n boundary=\"=_b\"\r\n"))
        #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(raw.hasSuffix("--=_b--\r\n"))
    }

    @Test("Quoted-printable: lines at most 76, trailing space encoded, '=' and UTF-8 escaped")
    func quotedPrintable() {
        #expect(MIMEMessage.quotedPrintable("a = b  \nÉ") == "a =3D b =20\r\n=C3=89")
        let long = MIMEMessage.quotedPrintable(String(repeating: "é", count: 60))
        let lines = long.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        #expect(lines.allSatisfy { !$0.dropLast().hasSuffix("=C") })  // no escape split over lines
    }

    @Test(
        "Header injection is refused with a clear reason",
        arguments: [
            { (m: inout MailMessage) in m.subject = "Hi\r\nBcc: victim@example.test" },
            { (m: inout MailMessage) in m.subject = "Hi\nBcc: victim@example.test" },
            { (m: inout MailMessage) in m.from.name = "Evil\rBcc: x@y.test" },
            { (m: inout MailMessage) in m.to[0].email = "a@b.test\r\nBcc: x@y.test" },
            { (m: inout MailMessage) in m.replyTo = MailAddress("a@b.test>\r\nX: y") },
            { (m: inout MailMessage) in m.headers.append(MailHeader("X-Note", "a\r\nBcc: x@y.test")) },
            { (m: inout MailMessage) in m.headers.append(MailHeader("X-Bad\r\nBcc", "x")) },
            { (m: inout MailMessage) in m.messageID = "<a@b>\r\nBcc: x@y.test" },
        ] as [@Sendable (inout MailMessage) -> Void])
    func headerInjection(change: @Sendable (inout MailMessage) -> Void) {
        var message = sampleMessage()
        change(&message)
        #expect {
            try MIMEMessage.render(message)
        } throws: { error in
            guard case MailError.permanent(let reason) = error else { return false }
            return reason.contains("line break") || reason.contains("invalid")
        }
    }

    @Test("Invalid addresses and headers that would replace the message's own are refused")
    func invalidInput() {
        for change in [
            { (m: inout MailMessage) in m.to = [] },
            { (m: inout MailMessage) in m.to[0].email = "no-at-sign" },
            { (m: inout MailMessage) in m.to[0].email = "a b@example.test" },
            { (m: inout MailMessage) in m.to[0].email = "ánna\u{200B}@example.test" },
            { (m: inout MailMessage) in m.to[0].email = "ánna\u{00A0}x@example.test" },
            { (m: inout MailMessage) in m.headers.append(MailHeader("Bcc", "x@y.test")) },
            { (m: inout MailMessage) in m.headers.append(MailHeader("content-type", "text/plain")) },
        ] as [(inout MailMessage) -> Void] {
            var message = sampleMessage()
            change(&message)
            #expect(throws: MailError.self) { try MIMEMessage.render(message) }
        }
    }

    @Test("An internationalized address is written as UTF-8 (RFC 6532) and marks the message as needing SMTPUTF8")
    func internationalizedAddress() throws {
        var message = sampleMessage(to: "jörg@müller.example")
        #expect(message.needsSMTPUTF8)
        let rendered = try MIMEMessage.render(message)
        #expect(rendered.contains("<jörg@müller.example>"))
        // The display name is still an encoded-word: only the address itself needs the extension.
        #expect(!rendered.contains("Anna de Vries-Çelik"))

        message.to = [MailAddress("anna@example.test")]
        #expect(!message.needsSMTPUTF8)
        #expect(try MIMEMessage.render(message).utf8.allSatisfy { $0 < 128 }, "seven-bit clean without one")
        message.replyTo = MailAddress("büro@example.test")
        #expect(message.needsSMTPUTF8)
    }
}
