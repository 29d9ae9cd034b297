import Foundation

/// Where a media download may take the access token: Meta's media hosts over https, plus any
/// origins the operator adds (`WHATSAPP_MEDIA_HOSTS`, for the simulator's loopback address). The
/// media URL comes from a Graph answer, but it is still a URL the token would follow anywhere;
/// this keeps the token on Meta's hosts even if that answer is wrong.
public struct MediaHosts: Sendable, Equatable, CustomStringConvertible {
    /// A scheme, host and port (nil: the scheme's default) a download may go to.
    public struct Origin: Sendable, Equatable, CustomStringConvertible {
        public var scheme: String
        public var host: String
        public var port: Int?

        public init(scheme: String, host: String, port: Int? = nil) {
            self.scheme = scheme.lowercased()
            self.host = host.lowercased()
            self.port = port
        }

        /// A bare host name (https, default port) or an origin such as `http://127.0.0.1:4010`;
        /// nil when the text is neither.
        public init?(parsing text: String) {
            let text = text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return nil }
            if text.contains("://") {
                guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                    ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty,
                    components.user == nil, components.password == nil, components.query == nil, components.fragment == nil,
                    components.path.isEmpty || components.path == "/"
                else { return nil }
                self.init(scheme: scheme, host: host, port: components.port)
            } else {
                guard text.wholeMatch(of: /[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?/) != nil, !text.contains("..") else { return nil }
                self.init(scheme: "https", host: text)
            }
        }

        fileprivate var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

        public var description: String { "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "") }
    }

    public var origins: [Origin]

    public init(_ origins: [Origin]) {
        self.origins = origins
    }

    /// The host Meta's media URLs name (`https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…`).
    public static let meta = MediaHosts([Origin(scheme: "https", host: "lookaside.fbsbx.com")])

    /// Whether a download from `url` may carry the token: same scheme, host and port as an allowed origin.
    public func allows(_ url: URL) -> Bool {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(), !host.isEmpty,
            components.user == nil, components.password == nil
        else { return false }
        let candidate = Origin(scheme: scheme, host: host, port: components.port)
        return origins.contains { $0.scheme == candidate.scheme && $0.host == candidate.host && $0.effectivePort == candidate.effectivePort }
    }

    public var description: String { origins.map(\.description).joined(separator: ",") }
}

/// A media URL outside `MediaHosts`: refused before any request, so the token is never sent.
/// Retrying cannot help; the URL names where it points, never the token.
public struct MediaHostRefused: Error, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String

    public init(url: URL) {
        scheme = url.scheme ?? "?"
        host = URLComponents(url: url, resolvingAgainstBaseURL: false)?.host ?? "?"
    }

    public var description: String {
        "media URL on \(scheme)://\(host.prefix(200)) refused: the access token is only sent over https to Meta's media hosts (WHATSAPP_MEDIA_HOSTS)"
    }
}
