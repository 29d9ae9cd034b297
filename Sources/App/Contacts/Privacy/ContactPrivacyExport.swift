import Fluent
import Foundation
import ObjectStore
import SQLKit
import Vapor
import ZIPFoundation

/// Everything the organization holds about one contact, as a ZIP for a data subject access request
/// (GDPR art. 15): `contact.json` (profile, custom fields with their labels, tags, consent),
/// `messages.json` (every message of every conversation, both directions), `history.json`,
/// `notes.json` (notes about the contact and notes in its conversations: both are about the person),
/// `campaigns.json` (every campaign message addressed to the contact, with the values filled in),
/// `media/` (the files of those messages) and a `README.txt` in the requester's language.
///
/// The archive is written to a temporary file, messages in pages and media one file at a time, so
/// memory stays bounded by the largest single media file whatever the contact's history holds.
enum ContactPrivacyExport {
    struct Profile: Encodable {
        struct Field: Encodable { var key: String; var label: String; var type: String; var value: String }
        struct Consent: Encodable { var status: String; var source: String?; var changed_at: Date? }
        var id: UUID
        var phone_number: String?
        var whatsapp_user_id: String?
        var name: String?
        var profile_name: String?
        var email: String?
        var marketing: Consent
        var last_inbound_at: Date?
        var created_at: Date
        var updated_at: Date
        var fields: [Field]
        var tags: [String]
    }

    struct MessageLine: Encodable {
        struct Media: Encodable { var file: String?; var filename: String?; var mime_type: String?; var size: Int64? }
        var id: UUID
        var conversation_id: UUID
        var business_number: String?
        var direction: String
        var kind: String
        var text: String?
        var status: String
        var status_at: Date
        var sent_at: Date
        var error: String?
        var media: Media?
    }

    struct HistoryLine: Encodable { var kind: String; var detail: String?; var actor: String?; var at: Date }
    struct NoteLine: Encodable { var conversation_id: UUID?; var author: String; var text: String; var at: Date }
    struct Notes: Encodable { var contact_notes: [NoteLine]; var conversation_notes: [NoteLine] }
    struct CampaignLine: Encodable {
        var campaign: String
        var phone_number: String?
        /// The template with this contact's values, as it was (to be) sent.
        var message: OutboundDraft.TemplateDraft?
        var status: String
        var reason: String?
        var sent_at: Date?
        var status_at: Date?
    }

    static let pageSize = 500

    /// The file name offered for the download: ASCII only, never anything the customer chose.
    static func filename(for contactID: UUID, at now: Date) -> String {
        let day = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withFullDate])
        return "contact-\(contactID.uuidString.lowercased())-\(day).zip"
    }

    /// The path in the archive of a message's media file: the message id and a cleaned name, so
    /// nothing the sender named the file can leave `media/` or clash with another file.
    static func mediaPath(messageID: UUID, filename: String?) -> String {
        let cleaned = String(
            (filename ?? "").unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
                .map(Character.init)
        )
        .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let name = String(cleaned.suffix(80))
        return "media/\(messageID.uuidString.lowercased())" + (name.isEmpty ? "" : "-" + name)
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Writes the archive of `contact` into a new temporary file and returns its URL; the caller deletes it.
    static func write(_ contact: Contact, readme: String, in scope: TenantScope, media: any ObjectStore) async throws -> URL {
        let contactID = try contact.requireID()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adsapp-privacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let zipURL = FileManager.default.temporaryDirectory.appendingPathComponent("adsapp-privacy-\(UUID().uuidString).zip")
        do {
            let archive = try Archive(url: zipURL, accessMode: .create)
            try add(Data(readme.utf8), as: "README.txt", to: archive)
            try add(try encoder.encode(try await profile(of: contact, in: scope)), as: "contact.json", to: archive)

            // messages.json, a page at a time into a file; the media to fetch are noted on the way.
            let messagesURL = directory.appendingPathComponent("messages.json")
            guard FileManager.default.createFile(atPath: messagesURL.path, contents: nil) else {
                throw Abort(.internalServerError, reason: "could not create the export's messages file")
            }
            let handle = try FileHandle(forWritingTo: messagesURL)
            var mediaFiles: [(path: String, key: String)] = []
            do {
                try handle.write(contentsOf: Data("[".utf8))
                var after: (Date, UUID)? = nil
                var first = true
                while true {
                    let page = try await messages(of: contactID, after: after, in: scope)
                    for (line, key) in page {
                        if let key, let file = line.media?.file { mediaFiles.append((file, key)) }
                        try handle.write(contentsOf: Data(((first ? "\n" : ",\n") + String(decoding: try encoder.encode(line), as: UTF8.self)).utf8))
                        first = false
                    }
                    guard page.count == pageSize, let last = page.last?.line else { break }
                    after = (last.sent_at, last.id)
                }
                try handle.write(contentsOf: Data("\n]\n".utf8))
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            try archive.addEntry(with: "messages.json", fileURL: messagesURL, compressionMethod: .deflate)

            let history = try await scope.query(ContactEvent.self).filter(\.$contactID == contactID).sort(\.$createdAt).sort(\.$id).all()
            try add(
                try encoder.encode(history.map { HistoryLine(kind: $0.kind.rawValue, detail: $0.detail, actor: $0.actor, at: $0.createdAt) }),
                as: "history.json", to: archive)
            try add(try encoder.encode(try await notes(of: contactID, in: scope)), as: "notes.json", to: archive)
            try add(try encoder.encode(try await campaignMessages(of: contactID, in: scope)), as: "campaigns.json", to: archive)

            for file in mediaFiles {
                let object: StoredObject
                do { object = try await media.get(file.key) } catch ObjectStoreError.notFound { continue }
                try add(object.data, as: file.path, to: archive, compress: false)
            }
            return zipURL
        } catch {
            try? FileManager.default.removeItem(at: zipURL)
            throw error
        }
    }

    private static func add(_ data: Data, as path: String, to archive: Archive, compress: Bool = true) throws {
        try archive.addEntry(
            with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compress ? .deflate : .none,
            provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
    }

    static func profile(of contact: Contact, in scope: TenantScope) async throws -> Profile {
        let contactID = try contact.requireID()
        let definitions = try await scope.query(ContactFieldDefinition.self).sort(\.$position).all()
        let values = try await scope.query(ContactFieldValue.self).filter(\.$contactID == contactID).all()
        let byField = Dictionary(values.map { ($0.fieldID, $0) }, uniquingKeysWith: { first, _ in first })
        let fields = definitions.compactMap { definition -> Profile.Field? in
            guard let id = definition.id, let value = byField[id]?.value else { return nil }
            return .init(key: definition.key, label: definition.label, type: definition.type.rawValue, value: value.text)
        }
        let tags = try await scope.sql { organization in
            """
            SELECT t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
            WHERE ct.organization_id = \(bind: organization) AND ct.contact_id = \(bind: contactID) ORDER BY t.name
            """
        }.all().map { try $0.decode(column: "name", as: String.self) }
        return Profile(
            id: contactID, phone_number: contact.phoneNumber, whatsapp_user_id: contact.userID, name: contact.name,
            profile_name: contact.profileName, email: contact.email,
            marketing: .init(status: contact.marketingStatus.rawValue, source: contact.marketingSource?.rawValue, changed_at: contact.marketingChangedAt),
            last_inbound_at: contact.lastInboundAt, created_at: contact.createdAt, updated_at: contact.updatedAt, fields: fields, tags: tags)
    }

    /// One page of the contact's messages, oldest first, with the object key of each stored media file.
    private static func messages(of contactID: UUID, after: (Date, UUID)?, in scope: TenantScope) async throws -> [(line: MessageLine, key: String?)] {
        let rows = try await scope.sql { organization in
            var query: SQLQueryString = """
                SELECT m.id, m.conversation_id, w.display_phone_number, m.direction, m.kind, m.body, m.status, m.status_at, m.sent_at,
                  m.error_title, m.media_filename, m.media_mime_type, m.media_size, m.media_object_key, m.media_state
                FROM messages m JOIN conversations c ON c.id = m.conversation_id
                LEFT JOIN whatsapp_connections w ON w.id = m.connection_id
                WHERE m.organization_id = \(bind: organization) AND c.organization_id = \(bind: organization) AND c.contact_id = \(bind: contactID)
                """
            if let (sentAt, id) = after {
                query = query + " AND (m.sent_at > \(bind: sentAt) OR (m.sent_at = \(bind: sentAt) AND m.id > \(bind: id)))"
            }
            return query + " ORDER BY m.sent_at, m.id LIMIT \(bind: pageSize)"
        }.all()
        return try rows.map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            let key = try row.decode(column: "media_object_key", as: String?.self)
            // A received file is kept once downloaded; a sent one from its upload on (its key is set only then).
            let state = try row.decode(column: "media_state", as: String?.self)
            let stored = key != nil && state != Message.MediaState.failed.rawValue
            let mimeType = try row.decode(column: "media_mime_type", as: String?.self)
            let filename = try row.decode(column: "media_filename", as: String?.self)
            let hasMedia = key != nil || mimeType != nil
            let size = try row.decode(column: "media_size", as: Int64?.self)
            let media =
                hasMedia
                ? MessageLine.Media(file: stored ? mediaPath(messageID: id, filename: filename) : nil, filename: filename, mime_type: mimeType, size: size)
                : nil
            let line = MessageLine(
                id: id, conversation_id: try row.decode(column: "conversation_id", as: UUID.self),
                business_number: try row.decode(column: "display_phone_number", as: String?.self),
                direction: try row.decode(column: "direction", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                text: try row.decode(column: "body", as: String?.self), status: try row.decode(column: "status", as: String.self),
                status_at: try row.decode(column: "status_at", as: Date.self), sent_at: try row.decode(column: "sent_at", as: Date.self),
                error: try row.decode(column: "error_title", as: String?.self), media: media)
            return (line, stored ? key : nil)
        }
    }

    private static func notes(of contactID: UUID, in scope: TenantScope) async throws -> Notes {
        let contactNotes = try await scope.query(ContactNote.self).filter(\.$contactID == contactID).sort(\.$createdAt).sort(\.$id).all()
        let conversationNotes = try await scope.sql { organization in
            """
            SELECT n.conversation_id, n.author_name, n.body, n.created_at FROM notes n JOIN conversations c ON c.id = n.conversation_id
            WHERE n.organization_id = \(bind: organization) AND c.organization_id = \(bind: organization) AND c.contact_id = \(bind: contactID)
            ORDER BY n.created_at, n.id
            """
        }.all()
        return Notes(
            contact_notes: contactNotes.map { NoteLine(conversation_id: nil, author: $0.authorName, text: $0.body, at: $0.createdAt) },
            conversation_notes: try conversationNotes.map { row in
                NoteLine(
                    conversation_id: try row.decode(column: "conversation_id", as: UUID.self), author: try row.decode(column: "author_name", as: String.self),
                    text: try row.decode(column: "body", as: String.self), at: try row.decode(column: "created_at", as: Date.self))
            })
    }

    private static func campaignMessages(of contactID: UUID, in scope: TenantScope) async throws -> [CampaignLine] {
        struct Found: Decodable {
            var name: String
            var wa_id: String?
            var draft: String?
            var status: String
            var reason: String?
            var sent_at: Date?
            var status_at: Date?
        }
        let found = try await scope.sql { organization in
            """
            SELECT c.name, r.wa_id, r.draft, r.status, r.reason, r.sent_at, r.status_at
            FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id
            WHERE r.organization_id = \(bind: organization) AND c.organization_id = \(bind: organization) AND r.contact_id = \(bind: contactID)
            ORDER BY c.created_at, c.id
            """
        }.all(decoding: Found.self)
        return found.map { row in
            CampaignLine(
                campaign: row.name, phone_number: row.wa_id.map { "+" + $0 },
                message: row.draft.flatMap { try? JSONDecoder().decode(OutboundDraft.TemplateDraft.self, from: Data($0.utf8)) },
                status: row.status, reason: row.reason, sent_at: row.sent_at, status_at: row.status_at)
        }
    }
}
