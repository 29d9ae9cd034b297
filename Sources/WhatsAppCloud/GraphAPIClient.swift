import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The live Graph API client: `https://graph.facebook.com/{version}/…` with a Bearer token.
///
/// Every failure is a `GraphError`: Meta's error body when there is one (with `httpStatus`),
/// else a description of the HTTP status or transport failure (`code == 0`). A transport failure
/// (`httpStatus == nil`) after a send means the outcome is unknown: the message may have reached Meta.
/// The token is sent only in the `Authorization` header and never appears in errors.
public struct GraphAPIClient: GraphAPI {
    public let httpClient: HTTPClient
    public let baseURL: URL
    public let version: String
    public let timeout: TimeAmount
    /// Where media downloads may send the token.
    public let mediaHosts: MediaHosts
    /// Graph answers are small; anything bigger than this is refused.
    static let maxResponseBytes = 4 * 1024 * 1024

    public init(
        httpClient: HTTPClient, baseURL: URL = URL(string: "https://graph.facebook.com")!, version: String,
        timeout: TimeAmount = .seconds(15), mediaHosts: MediaHosts = .meta
    ) {
        self.httpClient = httpClient
        self.baseURL = baseURL
        self.version = version
        self.timeout = timeout
        self.mediaHosts = mediaHosts
    }

    // MARK: Messages

    public func send(_ message: OutboundMessage, from phoneNumberID: String, token: String) async throws -> SendResult {
        try message.validate()
        let body = try await call(.POST, [phoneNumberID, "messages"], json: try message.jsonBody(), token: token)
        return try decode(SendResult.self, from: body, what: "send answer")
    }

    public func markRead(messageID: String, phoneNumberID: String, token: String) async throws {
        let payload: JSONValue = ["messaging_product": "whatsapp", "status": "read", "message_id": .string(messageID)]
        _ = try await call(.POST, [phoneNumberID, "messages"], json: try payload.encoded(), token: token)
    }

    // MARK: Media

    public func uploadMedia(_ data: Data, mimeType: String, filename: String, phoneNumberID: String, token: String) async throws -> String {
        let form = MultipartForm(
            fields: [("messaging_product", "whatsapp"), ("type", mimeType)], file: (name: "file", filename: filename, mimeType: mimeType, data: data))
        let body = try await call(.POST, [phoneNumberID, "media"], body: form.body(), contentType: form.contentType, token: token)
        struct Answer: Decodable { var id: String }
        return try decode(Answer.self, from: body, what: "media upload answer").id
    }

    public func mediaInfo(id: String, token: String) async throws -> MediaInfo {
        let body = try await call(.GET, [id], token: token)
        return try decode(MediaInfo.self, from: body, what: "media info")
    }

    public func downloadMedia(from url: URL, token: String, maxBytes: Int) async throws -> Data {
        guard mediaHosts.allows(url) else { throw MediaHostRefused(url: url) }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await execute(request)
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), declared > maxBytes {
            throw MediaTooLargeError(limit: maxBytes, declaredSize: declared)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw MediaTooLargeError(limit: maxBytes, declaredSize: nil)
        } catch {
            throw GraphError(code: 0, title: "Media download interrupted", message: String(describing: type(of: error)), type: "transport")
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw Self.error(status: Int(response.status.code), body: Data(buffer: buffer))
        }
        return Data(buffer: buffer)
    }

    // MARK: Phone numbers and templates

    public func phoneNumberInfo(phoneNumberID: String, token: String) async throws -> PhoneNumberInfo {
        let body = try await call(.GET, [phoneNumberID], query: [("fields", PhoneNumberInfo.fields)], token: token)
        return try decode(PhoneNumberInfo.self, from: body, what: "phone number")
    }

    public func phoneNumberIDs(businessAccountID: String, after cursor: String?, token: String) async throws -> BusinessAccountNumbersPage {
        var query = [("fields", "id"), ("limit", "100")]
        if let cursor { query.append(("after", cursor)) }
        let body = try await call(.GET, [businessAccountID, "phone_numbers"], query: query, token: token)
        return try decode(BusinessAccountNumbersPage.self, from: body, what: "phone number list")
    }

    public func businessPortfolioID(businessAccountID: String, token: String) async throws -> String? {
        let body = try await call(.GET, [businessAccountID], query: [("fields", "owner_business_info")], token: token)
        struct Answer: Decodable {
            struct Owner: Decodable { var id: String? }
            var owner_business_info: Owner?
        }
        return try decode(Answer.self, from: body, what: "business account owner").owner_business_info?.id
    }

    public func templates(wabaID: String, after cursor: String?, token: String) async throws -> TemplatePage {
        var query = [("fields", MessageTemplate.fields), ("limit", "100")]
        if let cursor { query.append(("after", cursor)) }
        let body = try await call(.GET, [wabaID, "message_templates"], query: query, token: token)
        return try decode(TemplatePage.self, from: body, what: "template list")
    }

    public func createTemplate(_ definition: TemplateDefinition, wabaID: String, token: String) async throws -> (id: String, status: String, category: String) {
        try definition.validate()
        let body = try await call(.POST, [wabaID, "message_templates"], json: try definition.jsonBody(), token: token)
        struct Answer: Decodable { var id: String; var status: String?; var category: String? }
        let answer = try decode(Answer.self, from: body, what: "template creation answer")
        return (answer.id, answer.status ?? "PENDING", answer.category ?? definition.category.rawValue)
    }

    public func deleteTemplate(name: String, wabaID: String, token: String) async throws {
        _ = try await call(.DELETE, [wabaID, "message_templates"], query: [("name", name)], token: token)
    }

    // MARK: Plumbing

    func url(_ path: [String], query: [(String, String)] = []) throws -> String {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        var segments = [version]
        for segment in path {
            guard !segment.isEmpty, segment != ".", segment != "..",
                let encoded = segment.addingPercentEncoding(withAllowedCharacters: Self.segmentCharacters)
            else {
                throw GraphError(code: 0, title: "Bad request", message: "an id in the request path is empty or invalid")
            }
            segments.append(encoded)
        }
        text += "/" + segments.joined(separator: "/")
        if !query.isEmpty {
            text +=
                "?"
                + query.map { name, value in
                    "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: Self.queryValueCharacters) ?? "")"
                }.joined(separator: "&")
        }
        return text
    }

    enum Method { case GET, POST, DELETE }

    static let segmentCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    static let queryValueCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~,"))

    private func call(
        _ method: Method, _ path: [String], query: [(String, String)] = [], json: Data? = nil, token: String
    ) async throws -> Data {
        try await call(method, path, query: query, body: json, contentType: json == nil ? nil : "application/json", token: token)
    }

    private func call(
        _ method: Method, _ path: [String], query: [(String, String)] = [], body: Data?, contentType: String?, token: String
    ) async throws -> Data {
        var request = HTTPClientRequest(url: try url(path, query: query))
        switch method {
        case .GET: request.method = .GET
        case .POST: request.method = .POST
        case .DELETE: request.method = .DELETE
        }
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response = try await execute(request)
        let data: Data
        do {
            data = Data(buffer: try await response.body.collect(upTo: Self.maxResponseBytes))
        } catch is NIOTooManyBytesError {
            throw GraphError(
                code: 0, title: "Answer too large", message: "Graph answered with more than \(Self.maxResponseBytes) bytes",
                httpStatus: Int(response.status.code))
        } catch {
            throw GraphError(code: 0, title: "Connection lost while reading the answer", message: String(describing: type(of: error)), type: "transport")
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw Self.error(status: Int(response.status.code), body: data)
        }
        return data
    }

    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        do {
            return try await httpClient.execute(request, timeout: timeout)
        } catch let error as HTTPClientError {
            // HTTPClientError descriptions name the failure, never the request headers.
            throw GraphError(code: 0, title: "Graph API unreachable", message: String(describing: error), type: "transport")
        } catch {
            throw GraphError(code: 0, title: "Graph API unreachable", message: String(describing: type(of: error)), type: "transport")
        }
    }

    /// Meta's error body, or a plain description of the status when the body is not one.
    static func error(status: Int, body: Data) -> GraphError {
        struct Envelope: Decodable { var error: GraphError }
        if var error = try? JSONDecoder().decode(Envelope.self, from: body).error {
            error.httpStatus = status
            return error
        }
        let snippet = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return GraphError(code: 0, title: "HTTP \(status)", message: snippet.isEmpty ? nil : snippet, httpStatus: status)
    }

    private func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw GraphError(code: 0, title: "Unexpected \(what) from Graph", message: describe(error), httpStatus: 200)
        }
    }
}

/// A media download was refused because it is bigger than the caller allows.
public struct MediaTooLargeError: Error, Equatable, CustomStringConvertible {
    public var limit: Int
    /// The size the server announced, when it did.
    public var declaredSize: Int?

    public var description: String {
        "media is larger than the limit of \(limit) bytes" + (declaredSize.map { " (\($0) bytes announced)" } ?? "")
    }
}
