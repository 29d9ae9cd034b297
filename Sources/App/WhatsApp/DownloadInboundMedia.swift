import Crypto
import Fluent
import Foundation
import Jobs
import ObjectStore
import WhatsAppCloud

/// Fetches the bytes of a customer's photo, voice note, video, document or sticker from Meta
/// (media id → short-lived URL → bytes with the Bearer token), checks them against their SHA-256
/// and stores them. Media ids expire after days, so this runs at once and retries on failure;
/// the message itself is stored before and never depends on it. A media URL outside the allowed
/// media hosts (`MediaHosts`) is never requested: the media is marked failed at once, not retried.
struct DownloadInboundMedia: JobHandler {
    struct Payload: Codable, Sendable {
        var messageID: UUID
    }

    static let kind = "whatsapp.media.download"
    static let queue: QueueName = .media
    static let maxAttempts = 10
    static let timeLimit: Duration = .seconds(300)

    struct ChecksumMismatch: Error, CustomStringConvertible {
        var description: String { "the downloaded media does not match the SHA-256 Meta gave for it" }
    }

    let services: WhatsAppServices

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let organizationID = context.organizationID else { return }
        let scope = TenantScope(organizationID: organizationID, database: context.database)
        guard let message = try await scope.find(Message.self, payload.messageID),
            let mediaID = message.mediaID, message.mediaState != .stored,
            let connection = try await scope.find(WhatsAppConnection.self, message.connectionID)
        else { return }
        do {
            let token = try await services.vault.open(connection.accessTokenSealed, for: organizationID, purpose: .whatsAppAccessToken, on: context.database)
            let info = try await services.graph.mediaInfo(id: mediaID, token: token)
            let bytes = try await services.graph.downloadMedia(from: info.url, token: token, maxBytes: services.mediaMaxBytes)
            let expected = message.mediaSHA256 ?? info.sha256
            guard Self.matches(bytes, sha256: expected) else { throw ChecksumMismatch() }
            let key = MediaKeys.key(organizationID: organizationID, messageID: payload.messageID)
            let contentType = message.mediaMimeType ?? info.mimeType
            try await services.media.put(bytes, key: key, contentType: contentType)
            message.mediaObjectKey = key
            message.mediaSize = Int64(bytes.count)
            message.mediaState = .stored
            try await message.save(on: context.database)
        } catch let refused as MediaHostRefused {
            message.mediaState = .failed
            try await message.save(on: context.database)
            context.logger.error(
                "WhatsApp media download refused",
                metadata: [
                    "message": .string(payload.messageID.uuidString.lowercased()), "reason": .string(refused.description),
                ])
        } catch {
            if context.attempt >= Self.maxAttempts {
                message.mediaState = .failed
                try? await message.save(on: context.database)
            }
            throw error
        }
    }

    /// Meta gives the digest in hex (media URL answer) or base64 (some webhook payloads); accept either.
    static func matches(_ bytes: Data, sha256 expected: String) -> Bool {
        let digest = Data(SHA256.hash(data: bytes))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        let trimmed = expected.trimmingCharacters(in: .whitespaces)
        return trimmed.lowercased() == hex || trimmed == digest.base64EncodedString()
    }
}

enum MediaKeys {
    static func key(organizationID: UUID, messageID: UUID) -> String {
        "media/\(organizationID.uuidString.lowercased())/\(messageID.uuidString.lowercased())"
    }
}
