import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Objects in a bucket of any S3-compatible store (AWS S3, MinIO, Cloudflare R2, moto), addressed
/// path-style (`<endpoint>/<bucket>/<key>`) and signed with AWS Signature Version 4.
public struct S3ObjectStore: ObjectStore {
    public let endpoint: URL
    public let bucket: String
    /// Larger objects are not read into memory: `get` throws `ObjectStoreError.tooLarge`.
    public let maxObjectBytes: Int
    private let signer: SigV4Signer
    private let httpClient: HTTPClient
    private let timeout: TimeAmount
    private let now: @Sendable () -> Date

    public init(
        endpoint: URL, bucket: String, region: String, accessKeyID: String, secretAccessKey: String,
        httpClient: HTTPClient, maxObjectBytes: Int = 100 * 1024 * 1024, timeout: TimeAmount = .seconds(60),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.maxObjectBytes = maxObjectBytes
        self.signer = SigV4Signer(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, region: region, service: "s3")
        self.httpClient = httpClient
        self.timeout = timeout
        self.now = now
    }

    public func put(_ data: Data, key: String, contentType: String) async throws {
        let key = try ObjectKey(key)
        try ContentType.check(contentType)
        let response = try await send(.PUT, key, body: data, headers: [(name: "content-type", value: contentType)])
        guard response.status == .ok else { throw try await serverError(response) }
    }

    public func get(_ key: String) async throws -> StoredObject {
        let key = try ObjectKey(key)
        let response = try await send(.GET, key)
        guard response.status == .ok else {
            let error = try await serverError(response)
            if case .server(404, let code, _) = error, code == "NoSuchKey" { throw ObjectStoreError.notFound(key: key.value) }
            throw error
        }
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxObjectBytes {
            throw ObjectStoreError.tooLarge(key: key.value, limit: maxObjectBytes)
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: maxObjectBytes)
        } catch is NIOTooManyBytesError {
            throw ObjectStoreError.tooLarge(key: key.value, limit: maxObjectBytes)
        }
        return StoredObject(
            data: Data(buffer: body),
            contentType: response.headers.first(name: "content-type") ?? "application/octet-stream"
        )
    }

    public func delete(_ key: String) async throws {
        let key = try ObjectKey(key)
        let response = try await send(.DELETE, key)
        switch response.status {
        case .noContent, .ok:
            return
        default:
            let error = try await serverError(response)
            if case .server(404, "NoSuchKey", _) = error { return }
            throw error
        }
    }

    // MARK: - Requests

    private func send(
        _ method: HTTPMethod, _ key: ObjectKey, body: Data = Data(), headers extra: [(name: String, value: String)] = []
    ) async throws -> HTTPClientResponse {
        let target = try location(of: key)
        var headers = [(name: "host", value: target.host), (name: "x-amz-content-sha256", value: Hex.sha256(body))]
        headers += extra
        let signed = signer.sign(
            SigV4Signer.Request(method: method.rawValue, path: target.path, headers: headers, payloadHash: Hex.sha256(body)),
            at: now()
        )
        var request = HTTPClientRequest(url: target.url)
        request.method = method
        for (name, value) in signed { request.headers.add(name: name, value: value) }
        if method == .PUT { request.body = .bytes(ByteBuffer(data: body)) }
        return try await httpClient.execute(request, timeout: timeout)
    }

    /// The object's URL, its unencoded path (for the signature) and the `Host` header value.
    private func location(of key: ObjectKey) throws -> (url: String, path: String, host: String) {
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let hostName = endpoint.host, !hostName.isEmpty
        else {
            throw ObjectStoreError.invalidConfiguration("endpoint \"\(endpoint.absoluteString)\" is not an http(s) URL with a host")
        }
        guard Self.isValidBucketName(bucket) else {
            throw ObjectStoreError.invalidConfiguration(
                "bucket name \"\(bucket)\" is not valid: 3-63 characters of a-z, 0-9, \".\" and \"-\", starting and ending with a letter or digit"
            )
        }
        let bracketed = hostName.contains(":") && !hostName.hasPrefix("[") ? "[\(hostName)]" : hostName
        let host = endpoint.port.map { "\(bracketed):\($0)" } ?? bracketed
        var prefix = endpoint.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        let path = "\(prefix)/\(bucket)/\(key.value)"
        return ("\(scheme)://\(host)\(SigV4Signer.uriEncode(path, keepSlash: true))", path, host)
    }

    static func isValidBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isLetterOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        return isLetterOrDigit(bytes.first!) && isLetterOrDigit(bytes.last!)
            && bytes.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// The S3 error document's code and message, e.g. `SignatureDoesNotMatch`.
    private func serverError(_ response: HTTPClientResponse) async throws -> ObjectStoreError {
        let body = try await response.body.collect(upTo: 64 * 1024)
        let text = String(buffer: body)
        return .server(
            status: Int(response.status.code),
            code: Self.element("Code", in: text) ?? "",
            message: Self.element("Message", in: text) ?? response.status.reasonPhrase
        )
    }

    static func element(_ name: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(name)>"), let end = xml.range(of: "</\(name)>", range: start.upperBound..<xml.endIndex) else {
            return nil
        }
        return String(xml[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
