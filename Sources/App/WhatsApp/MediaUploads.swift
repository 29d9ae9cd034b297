import Foundation
import ObjectStore
import Vapor

/// Files agents attach in the composer: checked, stored in the object store at once, handed to
/// Meta by the send job.
enum MediaUploads {
    struct Form: Content {
        var file: File?
        var caption: String?
    }

    /// Why an upload was not kept.
    enum Refusal: Error, Equatable {
        case noFile
        /// The bytes are no type WhatsApp accepts (HTML, SVG, script, archives, …).
        case unsupported
        /// The bytes are one accepted type, the browser said another (a `.png` that is a PDF, `text/html`).
        case mismatch(declared: String, actual: String)
        case tooLarge(kind: OutboundDraft.Kind, megabytes: Int)

        func message(_ t: Localizer) -> String {
            switch self {
            case .noFile: t(.inboxUploadRequired)
            case .unsupported: t(.inboxUploadUnsupported)
            case .mismatch(let declared, let actual): t(.inboxUploadMismatch, ["declared": declared, "actual": actual])
            case .tooLarge(let kind, let megabytes): t(.inboxUploadTooLarge, ["kind": kind.rawValue, "max": String(megabytes)])
            }
        }

        var status: HTTPResponseStatus {
            switch self {
            case .noFile: .badRequest
            case .unsupported, .mismatch: .unsupportedMediaType
            case .tooLarge: .payloadTooLarge
            }
        }
    }

    static func draft(from request: Request, organizationID: UUID) async throws -> OutboundDraft {
        let form = try request.content.decode(Form.self)
        guard let file = form.file, file.data.readableBytes > 0 else { throw Refusal.noFile }
        let data = Data(buffer: file.data)
        let declared = file.contentType?.serialize()
        guard let type = MediaFileType.of(data, declared: declared, filename: file.filename) else { throw Refusal.unsupported }
        if let declared, !MediaFileType.isUninformative(declared), MediaFileType.normalized(declared) != type.mimeType {
            throw Refusal.mismatch(declared: MediaFileType.normalized(declared), actual: type.mimeType)
        }
        let limit = limitBytes(type.kind)
        guard data.count <= limit else { throw Refusal.tooLarge(kind: type.kind, megabytes: limit / 1_000_000) }
        let key = "uploads/\(organizationID.uuidString.lowercased())/\(UUID().uuidString.lowercased())"
        try await request.whatsApp.media.put(data, key: key, contentType: type.mimeType)
        var draft = OutboundDraft(type: type.kind)
        draft.upload = .init(objectKey: key, mimeType: type.mimeType, filename: String(file.filename.suffix(200)), size: data.count)
        if type.kind != .audio, type.kind != .sticker, let caption = form.caption, !caption.isEmpty { draft.text = caption }
        return draft
    }

    /// Removes the stored file of a draft that was not sent after all (refused, invalid, failed):
    /// only a queued message keeps its upload.
    static func discard(_ draft: OutboundDraft, _ request: Request) async {
        guard let key = draft.upload?.objectKey else { return }
        do { try await request.whatsApp.media.delete(key) } catch {
            request.logger.warning("unsent upload not removed", metadata: ["key": .string(key), "error": .string(String(describing: error))])
        }
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
///
/// A file in our store is the sender's bytes, not a page of ours, whoever sent it (an agent's
/// upload or a customer's document that claims to be `text/html`): it is served with `nosniff`,
/// a `sandbox` CSP (no script, no same-origin rights, even when opened directly), and as an
/// attachment unless the thread shows it inline (images, stickers, audio and video of a type
/// WhatsApp accepts). Anything outside WhatsApp's types is served as `application/octet-stream`.
enum MediaController {
    static let contentSecurityPolicy = "default-src 'none'; sandbox"

    static func show(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let message = try await tenant.find(Message.self, parameter: SiteURL.messageID, of: request)
        let access = try await tenant.inboxAccess()
        guard let conversation = try await tenant.scope.find(Conversation.self, message.$conversation.id), access.maySee(conversation) else {
            throw Abort(.notFound)
        }
        guard let key = message.mediaObjectKey, message.mediaState == .stored else { throw Abort(.notFound) }
        let object: StoredObject
        do {
            object = try await request.whatsApp.media.get(key)
        } catch ObjectStoreError.notFound {
            throw Abort(.notFound)
        }
        let (contentType, disposition) = presentation(mimeType: message.mediaMimeType ?? object.contentType, kind: message.kind)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: contentType)
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .contentSecurityPolicy, value: contentSecurityPolicy)
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        let filename = (message.mediaFilename ?? "media").filter { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_ ".contains($0)) }
        headers.replaceOrAdd(name: .contentDisposition, value: "\(disposition); filename=\"\(filename.isEmpty ? "media" : filename)\"")
        return Response(status: .ok, headers: headers, body: .init(data: object.data))
    }

    /// The type to serve a stored file as, and whether the browser shows it (`inline`) or saves it (`attachment`).
    static func presentation(mimeType: String, kind: String) -> (contentType: String, disposition: String) {
        guard let type = MediaFileType(rawValue: MediaFileType.normalized(mimeType)) else {
            return ("application/octet-stream", "attachment")
        }
        let shownInThread = ["image", "sticker", "audio", "video"].contains(kind) && [.image, .sticker, .audio, .video].contains(type.kind)
        return (type.mimeType, shownInThread ? "inline" : "attachment")
    }
}
