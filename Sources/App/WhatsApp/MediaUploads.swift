import Foundation
import ObjectStore
import Vapor

/// Files agents attach in the composer: stored in the object store at once, handed to Meta by the send job.
enum MediaUploads {
    struct Form: Content {
        var file: File?
        var caption: String?
    }

    static func draft(from request: Request, organizationID: UUID) async throws -> OutboundDraft {
        let form = try request.content.decode(Form.self)
        guard let file = form.file, file.data.readableBytes > 0 else {
            throw APIError(.badRequest, code: "file_required", message: "Choose a file to send.")
        }
        let mimeType = file.contentType?.serialize() ?? "application/octet-stream"
        let kind = kind(for: mimeType)
        let limit = limitBytes(kind)
        guard file.data.readableBytes <= limit else {
            throw APIError(.payloadTooLarge, code: "file_too_large", message: "WhatsApp accepts \(kind.rawValue) files up to \(limit / 1_000_000) MB.")
        }
        let key = "uploads/\(organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased())"
        try await request.whatsApp.media.put(Data(buffer: file.data), key: key, contentType: mimeType)
        var draft = OutboundDraft(type: kind)
        draft.upload = .init(objectKey: key, mimeType: mimeType, filename: String(file.filename.suffix(200)), size: file.data.readableBytes)
        if kind != .audio, kind != .sticker, let caption = form.caption, !caption.isEmpty { draft.text = caption }
        return draft
    }

    /// WhatsApp's message type for a file: by its MIME type, documents for anything else.
    static func kind(for mimeType: String) -> OutboundDraft.Kind {
        let type = mimeType.lowercased()
        if type == "image/webp" { return .sticker }
        if ["image/jpeg", "image/png"].contains(type) { return .image }
        if ["video/mp4", "video/3gpp"].contains(type) { return .video }
        if type.hasPrefix("audio/") { return .audio }
        return .document
    }

    /// Meta's size limits per media type.
    static func limitBytes(_ kind: OutboundDraft.Kind) -> Int {
        switch kind {
        case .image: 5_000_000
        case .sticker: 500_000
        case .video, .audio: 16_000_000
        default: 100_000_000
        }
    }
}

/// Serves stored media to signed-in members of the organization that owns it, and to nobody else.
enum MediaController {
    static func show(_ request: Request) async throws -> Response {
        let tenant = try request.tenant()
        try tenant.require(.viewConversations)
        let message = try await tenant.find(Message.self, parameter: SiteURL.messageID, of: request)
        let access = try await InboxAccess.of(tenant)
        guard let conversation = try await tenant.scope.find(Conversation.self, message.$conversation.id), access.maySee(conversation) else { throw Abort(.notFound) }
        guard let key = message.mediaObjectKey, message.mediaState == .stored else { throw Abort(.notFound) }
        let object: StoredObject
        do {
            object = try await request.whatsApp.media.get(key)
        } catch ObjectStoreError.notFound {
            throw Abort(.notFound)
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: message.mediaMimeType ?? object.contentType)
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .contentSecurityPolicy, value: "default-src 'none'; sandbox")
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        let filename = (message.mediaFilename ?? "media").filter { $0.isLetter || $0.isNumber || ".-_ ".contains($0) }
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(filename)\"")
        return Response(status: .ok, headers: headers, body: .init(data: object.data))
    }
}
