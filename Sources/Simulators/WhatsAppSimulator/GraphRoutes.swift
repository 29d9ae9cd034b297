import Crypto
import Foundation
import Vapor

/// The Graph API endpoints, under any `vNN.N` prefix, plus the media download URL.
struct GraphRoutes: Sendable {
    let simulator: GraphSimulator

    func register(on app: Application) {
        let upload: HTTPBodyStreamStrategy = .collect(maxSize: "110mb")
        let json: HTTPBodyStreamStrategy = .collect(maxSize: "1mb")
        app.on(.POST, ":version", ":id", "messages", body: json) { try await messages($0) }
        app.on(.POST, ":version", ":id", "media", body: upload) { try await uploadMedia($0) }
        app.on(.GET, ":version", ":id", "message_templates") { try await listTemplates($0) }
        app.on(.GET, ":version", ":id", "phone_numbers") { try await listPhoneNumbers($0) }
        app.on(.POST, ":version", ":id", "message_templates", body: json) { try await createTemplate($0) }
        app.on(.DELETE, ":version", ":id", "message_templates") { try await deleteTemplate($0) }
        app.on(.GET, ":version", ":id") { try await getObject($0) }
        app.on(.DELETE, ":version", ":id") { try await deleteObject($0) }
        app.on(.GET, "media-download", ":id") { try await downloadMedia($0) }
    }

    // MARK: Authorization

    /// Checks the version prefix and the Bearer token (or `access_token` query item), and that the token
    /// may act for `objectID`: a phone number id, a WABA id, or a media id of one of its numbers.
    func authorize(_ req: Request) throws -> (objectID: String, numbers: [SimulatedNumber]) {
        let version = req.parameters.get("version") ?? ""
        guard version.wholeMatch(of: /v\d+\.\d+/) != nil else {
            throw GraphAPIError(httpStatus: .badRequest, code: 2500, message: "Unknown path components: \(req.url.path)")
        }
        let objectID = req.parameters.get("id") ?? ""
        let numbers = try numbersForToken(req)
        return (objectID, numbers)
    }

    func numbersForToken(_ req: Request) throws -> [SimulatedNumber] {
        guard let token = req.headers.bearerAuthorization?.token ?? (try? req.query.get(String.self, at: "access_token")),
            !token.isEmpty
        else { throw GraphAPIError.missingToken }
        let numbers = simulator.configuration.numbers.filter { $0.accessToken == token }
        guard !numbers.isEmpty else { throw GraphAPIError.invalidToken }
        if simulator.state.withLock({ $0.brokenTokens.contains(token) }) { throw GraphAPIError.expiredToken }
        return numbers
    }

    func phoneNumber(_ req: Request) throws -> SimulatedNumber {
        let (id, numbers) = try authorize(req)
        guard let number = numbers.first(where: { $0.phoneNumberID == id }) else {
            throw GraphAPIError.unknownObject(id, req.method)
        }
        return number
    }

    func businessAccount(_ req: Request) throws -> String {
        let (id, numbers) = try authorize(req)
        guard numbers.contains(where: { $0.wabaID == id }) else { throw GraphAPIError.unknownObject(id, req.method) }
        return id
    }

    // MARK: Objects

    /// `GET /{phone-number-id}?fields=…` or `GET /{media-id}`.
    func getObject(_ req: Request) async throws -> Response {
        let (id, numbers) = try authorize(req)
        if let number = numbers.first(where: { $0.phoneNumberID == id }) {
            return jsonResponse(phoneNumberFields(number, requested: try? req.query.get(String.self, at: "fields")))
        }
        if let media = simulator.state.withLock({ $0.media[id] }), numbers.contains(where: { $0.phoneNumberID == media.phoneNumberID }) {
            if let owner = try? req.query.get(String.self, at: "phone_number_id"), owner != media.phoneNumberID {
                throw GraphAPIError.unknownObject(id, req.method)
            }
            return jsonResponse(mediaInfo(media))
        }
        // `GET /{waba-id}?fields=owner_business_info`: the account and the business portfolio that owns it.
        if let number = numbers.first(where: { $0.wabaID == id }) {
            var fields: [String: JSONValue] = ["id": .string(id)]
            let requested = (try? req.query.get(String.self, at: "fields"))?.split(separator: ",").map(String.init) ?? []
            if requested.contains("owner_business_info") {
                fields["owner_business_info"] = ["id": .string(number.ownerBusinessID), "name": .string(number.verifiedName + " B.V.")]
            }
            if requested.contains("name") { fields["name"] = .string(number.verifiedName) }
            return jsonResponse(.object(fields))
        }
        throw GraphAPIError.unknownObject(id, req.method)
    }

    /// `DELETE /{media-id}`.
    func deleteObject(_ req: Request) async throws -> Response {
        let (id, numbers) = try authorize(req)
        let deleted = simulator.state.withLock { state -> Bool in
            guard let media = state.media[id], numbers.contains(where: { $0.phoneNumberID == media.phoneNumberID }) else { return false }
            state.media[id] = nil
            return true
        }
        guard deleted else { throw GraphAPIError.unknownObject(id, req.method) }
        return jsonResponse(["success": true])
    }

    func phoneNumberFields(_ number: SimulatedNumber, requested: String?) -> JSONValue {
        let all: [String: JSONValue] = [
            "id": .string(number.phoneNumberID),
            "display_phone_number": .string(number.displayPhoneNumber),
            "verified_name": .string(number.verifiedName),
            "quality_rating": .string(number.qualityRating),
            "code_verification_status": "VERIFIED",
            "platform_type": "CLOUD_API",
            "name_status": "APPROVED",
            "throughput": ["level": "STANDARD"],
            "messaging_limit_tier": .string(number.messagingLimitTier),
        ]
        guard let requested, !requested.isEmpty else {
            let defaults = ["id", "display_phone_number", "verified_name", "quality_rating", "code_verification_status", "platform_type"]
            return .object(all.filter { defaults.contains($0.key) })
        }
        let names = Set(requested.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } + ["id"])
        return .object(all.filter { names.contains($0.key) })
    }

    /// `GET /{waba-id}/phone_numbers`: the account's numbers the token may act for, as Meta lists them.
    func listPhoneNumbers(_ req: Request) async throws -> Response {
        let wabaID = try businessAccount(req)
        let numbers = simulator.configuration.numbers.filter { $0.wabaID == wabaID }
        let data: [JSONValue] = numbers.map { number in
            [
                "id": .string(number.phoneNumberID), "display_phone_number": .string(number.displayPhoneNumber),
                "verified_name": .string(number.verifiedName), "quality_rating": .string(number.qualityRating),
            ]
        }
        let cursor = JSONValue.string(Data(wabaID.utf8).base64EncodedString())
        return jsonResponse(["data": .array(data), "paging": ["cursors": ["before": cursor, "after": cursor]]])
    }

    // MARK: Media

    struct MediaUpload: Content {
        var file: File
        var type: String?
        var messaging_product: String?
    }

    /// `POST /{phone-number-id}/media`, multipart: `file`, `type`, `messaging_product=whatsapp`.
    func uploadMedia(_ req: Request) async throws -> Response {
        let number = try phoneNumber(req)
        guard req.headers.contentType?.type == "multipart" else {
            throw GraphAPIError.invalidParameter("Media upload must be multipart/form-data with file, type and messaging_product.")
        }
        let form: MediaUpload
        do {
            form = try req.content.decode(MediaUpload.self)
        } catch {
            throw GraphAPIError.invalidParameter("The parameter file is required.")
        }
        guard form.messaging_product == "whatsapp" else {
            throw GraphAPIError.invalidParameter("The parameter messaging_product is required.")
        }
        let mimeType = form.type ?? form.file.contentType.map { "\($0.type)/\($0.subType)" } ?? ""
        guard let limit = MediaLimits.maxBytes(for: mimeType) else {
            throw GraphAPIError.invalidParameter(
                "Param file must be a file with one of the following types: \(MediaLimits.supportedTypes). Received file of type '\(mimeType)'.")
        }
        let bytes = Data(form.file.data.readableBytesView)
        guard !bytes.isEmpty, bytes.count <= limit else {
            throw GraphAPIError.invalidParameter("File size \(bytes.count) is outside the allowed range for \(mimeType) (1 to \(limit) bytes).")
        }
        let media = StoredMedia(
            id: Identifiers.numericID(), phoneNumberID: number.phoneNumberID, bytes: bytes, mimeType: mimeType, filename: form.file.filename)
        simulator.state.withLock { $0.media[media.id] = media }
        return jsonResponse(["id": .string(media.id)])
    }

    func mediaInfo(_ media: StoredMedia) -> JSONValue {
        let base = (simulator.state.withLock { $0.mediaURLBase } ?? simulator.baseURL)?.absoluteString ?? ""
        return [
            "messaging_product": "whatsapp",
            "url": .string("\(base)/media-download/\(media.id)?ext=\(Int(simulator.now().timeIntervalSince1970) + 300)&hash=\(Identifiers.randomHex(16))"),
            "mime_type": .string(media.mimeType),
            "sha256": .string(SHA256.hash(data: media.bytes).map { String(format: "%02x", $0) }.joined()),
            "file_size": .number(Double(media.bytes.count)),
            "id": .string(media.id),
        ]
    }

    /// The media URL: needs the Bearer token of the owning number; can be told to fail.
    func downloadMedia(_ req: Request) async throws -> Response {
        let id = req.parameters.get("id") ?? ""
        let numbers = try numbersForToken(req)
        guard let media = simulator.state.withLock({ $0.media[id] }),
            numbers.contains(where: { $0.phoneNumberID == media.phoneNumberID })
        else { return Response(status: .notFound) }
        let failure = simulator.state.withLock { state -> UInt? in
            guard state.downloadFailures.remaining > 0 else { return nil }
            state.downloadFailures.remaining -= 1
            return state.downloadFailures.status
        }
        if let failure { return Response(status: HTTPResponseStatus(statusCode: Int(failure))) }
        let response = Response(status: .ok, body: .init(data: media.bytes))
        response.headers.replaceOrAdd(name: .contentType, value: media.mimeType)
        if let filename = media.filename {
            response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        }
        return response
    }
}

func jsonResponse(_ body: JSONValue, status: HTTPResponseStatus = .ok) -> Response {
    let response = Response(status: status, body: .init(data: body.encoded()))
    response.headers.contentType = .json
    return response
}

/// Meta's supported upload types and their size limits.
enum MediaLimits {
    static func maxBytes(for mimeType: String) -> Int? {
        let type = mimeType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "image/jpeg", "image/png": return 5 * 1024 * 1024
        case "image/webp": return 500 * 1024
        case "video/mp4", "video/3gpp": return 16 * 1024 * 1024
        case "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg": return 16 * 1024 * 1024
        case "text/plain", "application/pdf", "application/vnd.ms-powerpoint", "application/msword", "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
            return 100 * 1024 * 1024
        default: return nil
        }
    }

    static let supportedTypes =
        "image/jpeg, image/png, image/webp, video/mp4, video/3gpp, audio/aac, audio/amr, audio/mpeg, audio/mp4, audio/ogg, text/plain, application/pdf, Office documents"
}
