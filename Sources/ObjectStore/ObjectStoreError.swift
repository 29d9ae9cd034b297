/// Why an object could not be stored, read or deleted.
public enum ObjectStoreError: Error, Equatable, CustomStringConvertible {
    case notFound(key: String)
    case invalidKey(String, reason: String)
    case invalidContentType(String)
    /// The object is larger than the store is willing to read into memory.
    case tooLarge(key: String, limit: Int)
    /// The S3 endpoint refused the request; `code` is S3's error code, such as `SignatureDoesNotMatch`.
    case server(status: Int, code: String, message: String)
    /// The store's settings cannot work (for example an endpoint that is not an http(s) URL).
    case invalidConfiguration(String)
    /// The local file system failed.
    case storage(String)

    public var description: String {
        switch self {
        case .notFound(let key):
            "no object under key \"\(key)\""
        case .invalidKey(let key, let reason):
            "invalid object key \"\(key)\": \(reason)"
        case .invalidContentType(let value):
            "invalid content type \"\(value)\": use 1-255 visible ASCII characters"
        case .tooLarge(let key, let limit):
            "object \"\(key)\" is larger than the \(limit)-byte limit"
        case .server(let status, let code, let message):
            "object store refused the request (HTTP \(status)\(code.isEmpty ? "" : " \(code)")): \(message)"
        case .invalidConfiguration(let problem):
            "object store configuration: \(problem)"
        case .storage(let problem):
            "object store disk error: \(problem)"
        }
    }
}
