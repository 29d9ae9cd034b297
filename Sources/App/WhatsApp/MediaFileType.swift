import Foundation

/// The file types WhatsApp accepts (Meta's "supported media types": images, stickers, audio,
/// video and documents), recognised by the file's own bytes.
///
/// What a browser declares and what a file is called are the uploader's words; the first bytes
/// are the file. An upload is kept only when its bytes are one of these types, so nothing that a
/// browser would render as a page (HTML, SVG, script) ever enters the object store as ours.
enum MediaFileType: String, CaseIterable, Sendable {
    case jpeg = "image/jpeg"
    case png = "image/png"
    case webp = "image/webp"
    case aac = "audio/aac"
    case amr = "audio/amr"
    case mp3 = "audio/mpeg"
    case m4a = "audio/mp4"
    case ogg = "audio/ogg"
    case mp4 = "video/mp4"
    case threeGPP = "video/3gpp"
    case text = "text/plain"
    case pdf = "application/pdf"
    case doc = "application/msword"
    case xls = "application/vnd.ms-excel"
    case ppt = "application/vnd.ms-powerpoint"
    case docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    case xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    case pptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

    var mimeType: String { rawValue }

    /// WhatsApp's message type for a file of this type.
    var kind: OutboundDraft.Kind {
        switch self {
        case .jpeg, .png: .image
        case .webp: .sticker
        case .aac, .amr, .mp3, .m4a, .ogg: .audio
        case .mp4, .threeGPP: .video
        case .text, .pdf, .doc, .xls, .ppt, .docx, .xlsx, .pptx: .document
        }
    }

    /// The type of `data`, or `nil` when it is none WhatsApp accepts. `declared` and `filename`
    /// only choose between types that share a container (an MP4 file holds audio or video; an
    /// old Office file is a Word, Excel or PowerPoint file), never make bytes something else.
    static func of(_ data: Data, declared: String?, filename: String) -> MediaFileType? {
        let bytes = [UInt8](data.prefix(16))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        let declared = declared.map(normalized)
        let ext = (filename as NSString).pathExtension.lowercased()

        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return .png }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("#!AMR".utf8)) { return .amr }
        if starts(Array("OggS".utf8)) { return .ogg }
        if starts(Array("ID3".utf8)) { return .mp3 }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] & 0xE0 == 0xE0 {
            // MPEG frame sync: layer bits 00 are AAC's ADTS headers, anything else MPEG audio.
            return bytes[1] & 0x06 == 0 ? .aac : .mp3
        }
        if starts(Array("ftyp".utf8), at: 4), bytes.count >= 12 {
            let brand = String(decoding: bytes[8..<12], as: UTF8.self)
            if brand.hasPrefix("3gp") || brand.hasPrefix("3g2") { return .threeGPP }
            if brand == "M4A " || brand == "M4B " { return .m4a }
            return declared == MediaFileType.m4a.mimeType || ext == "m4a" ? .m4a : .mp4
        }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            let legacy: [MediaFileType] = [.doc, .xls, .ppt]
            if let declared, let type = legacy.first(where: { $0.mimeType == declared }) { return type }
            return ["doc": .doc, "xls": .xls, "ppt": .ppt][ext]
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return officeDocument(in: data) }
        return isPlainText(data) ? .text : nil
    }

    /// A ZIP file is a Word, Excel or PowerPoint document when its entries say so; any other ZIP is refused.
    private static func officeDocument(in data: Data) -> MediaFileType? {
        // Entry names are in the local headers (start) and the central directory (end).
        let window = 256 * 1024
        let parts = data.count <= 2 * window ? [data] : [data.prefix(window), data.suffix(window)]
        func contains(_ name: String) -> Bool { parts.contains { $0.range(of: Data(name.utf8)) != nil } }
        guard contains("[Content_Types].xml") else { return nil }
        if contains("word/") { return .docx }
        if contains("xl/") { return .xlsx }
        if contains("ppt/") { return .pptx }
        return nil
    }

    /// UTF-8 text without NUL or other control characters than tab, line breaks and form feed.
    private static func isPlainText(_ data: Data) -> Bool {
        guard !data.isEmpty, let text = String(validating: data, as: UTF8.self) else { return false }
        return !text.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains(scalar.value)) || scalar.value == 0x7F
        }
    }

    /// A declared type in its canonical spelling: lower case, without parameters, common aliases folded.
    static func normalized(_ declared: String) -> String {
        let type = declared.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let aliases = [
            "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg",
            "audio/mp3": "audio/mpeg", "audio/mpeg3": "audio/mpeg", "audio/x-mpeg": "audio/mpeg",
            "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4", "audio/x-aac": "audio/aac", "audio/aacp": "audio/aac",
            "audio/opus": "audio/ogg", "application/ogg": "audio/ogg", "video/3gp": "video/3gpp",
        ]
        return aliases[type] ?? type
    }

    /// Whether a browser's declared type says nothing about the file (so it cannot disagree with the bytes).
    static func isUninformative(_ declared: String?) -> Bool {
        guard let declared else { return true }
        return ["", "application/octet-stream", "binary/octet-stream", "application/unknown"].contains(normalized(declared))
    }
}
