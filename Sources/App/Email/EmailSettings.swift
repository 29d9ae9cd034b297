import Foundation

/// How the app sends email (`RESEND_*`, `SMTP_*`): Resend when its key is set (with SMTP taking over
/// after a permanent failure when `SMTP_HOST` is set too), else SMTP, else the local outbox that
/// operators read at `/admin/outbox`.
public struct EmailSettings: Sendable, Equatable {
    /// The name beside the sender's address: "ADSapp <no-reply@example.com>".
    public var productName = "ADSapp"
    public var resend: Resend?
    public var smtp: SMTP?
    /// The address mail comes from when neither provider is set (outbox): `no-reply@` the host of `APP_URL`.
    public var outboxSender: String

    public struct Resend: Sendable, Equatable {
        /// `RESEND_API_KEY`.
        public var apiKey: String
        /// `RESEND_FROM_EMAIL`: a sender on a domain verified at Resend.
        public var fromEmail: String
        /// `RESEND_API_URL`: Resend's API, or a loopback fake in tests.
        public var apiURL: URL
    }

    public struct SMTP: Sendable, Equatable {
        public enum Security: String, Sendable, Equatable {
            /// Connect in plain text and require STARTTLS before anything else (port 587).
            case starttls
            /// TLS from the first byte (port 465).
            case tls
            /// No encryption at all: only to a server on this machine.
            case plain
        }

        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?
        public var security: Security
        public var fromEmail: String
        /// `SMTP_CA_FILE`: PEM certificates to trust instead of the system's (a private mail relay).
        public var caFile: String?
        public var timeout: TimeInterval
    }

    /// The sender's address that messages are rendered with; each provider sends with its own.
    public var senderEmail: String { resend?.fromEmail ?? smtp?.fromEmail ?? outboxSender }

    /// Which provider is used.
    public var summary: String {
        switch (resend, smtp) {
        case (_?, _?): "resend, smtp fallback"
        case (_?, nil): "resend"
        case (nil, _?): "smtp"
        case (nil, nil): "outbox"
        }
    }
}

extension EmailSettings {
    /// A plain address (no display name, no line breaks): `name@domain.tld`.
    static func isPlainAddress(_ text: String) -> Bool {
        text.wholeMatch(of: /[^\s@<>"',;:()\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?/) != nil
    }

    /// Reads the email settings; `value` gives a variable's trimmed, non-empty value.
    static func load(appURL: URL, _ value: (String) -> String?) throws(ConfigurationError) -> EmailSettings {
        func address(_ name: String) throws(ConfigurationError) -> String? {
            guard let raw = value(name) else { return nil }
            guard isPlainAddress(raw) else {
                throw ConfigurationError(variable: name, problem: "must be a plain email address such as inbox@example.com, got \"\(raw)\"")
            }
            return raw
        }

        var resend: Resend?
        let resendFrom = try address("RESEND_FROM_EMAIL")
        if let key = value("RESEND_API_KEY") {
            guard let from = resendFrom else {
                throw ConfigurationError(
                    variable: "RESEND_FROM_EMAIL", problem: "is required when RESEND_API_KEY is set (a sender on a domain verified at Resend)")
            }
            let rawURL = value("RESEND_API_URL") ?? "https://api.resend.com"
            guard let url = URL(string: rawURL), let scheme = url.scheme, let host = url.host, !host.isEmpty,
                scheme == "https" || (scheme == "http" && AppConfiguration.loopbackHosts.contains(host))
            else {
                throw ConfigurationError(
                    variable: "RESEND_API_URL", problem: "must be an https URL (plain http only on a loopback address), got \"\(rawURL)\"")
            }
            resend = Resend(apiKey: key, fromEmail: from, apiURL: url)
        }

        var smtp: SMTP?
        if let host = value("SMTP_HOST") {
            let securityText = value("SMTP_SECURITY")?.lowercased() ?? "starttls"
            guard let security = SMTP.Security(rawValue: securityText) else {
                throw ConfigurationError(variable: "SMTP_SECURITY", problem: "must be starttls, tls or plain, got \"\(securityText)\"")
            }
            if security == .plain, !AppConfiguration.loopbackHosts.contains(host) {
                throw ConfigurationError(
                    variable: "SMTP_SECURITY",
                    problem:
                        "may be plain only for a server on this machine (127.0.0.1); \(host) needs starttls or tls, or passwords and mail cross the network unencrypted"
                )
            }
            let username = value("SMTP_USERNAME"), password = value("SMTP_PASSWORD")
            if username != nil, password == nil {
                throw ConfigurationError(variable: "SMTP_PASSWORD", problem: "is required when SMTP_USERNAME is set")
            }
            if username == nil, password != nil {
                throw ConfigurationError(variable: "SMTP_USERNAME", problem: "is required when SMTP_PASSWORD is set")
            }
            guard let from = try address("SMTP_FROM_EMAIL") ?? resendFrom else {
                throw ConfigurationError(variable: "SMTP_FROM_EMAIL", problem: "is required when SMTP_HOST is set (the sender's address)")
            }
            let caFile = value("SMTP_CA_FILE")
            if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                throw ConfigurationError(variable: "SMTP_CA_FILE", problem: "must name a readable PEM file, got \"\(caFile)\"")
            }
            let defaultPort = security == .tls ? 465 : 587
            smtp = SMTP(
                host: host, port: try AppConfiguration.integer("SMTP_PORT", value, default: defaultPort, range: 1...65535), username: username,
                password: password,
                security: security, fromEmail: from, caFile: caFile,
                timeout: TimeInterval(try AppConfiguration.integer("SMTP_TIMEOUT_SECONDS", value, default: 30, range: 1...600)))
        } else {
            for name in ["SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_SECURITY", "SMTP_FROM_EMAIL", "SMTP_CA_FILE", "SMTP_TIMEOUT_SECONDS"]
            where value(name) != nil {
                throw ConfigurationError(variable: "SMTP_HOST", problem: "is required when \(name) is set")
            }
        }

        let host = appURL.host ?? "localhost"
        return EmailSettings(resend: resend, smtp: smtp, outboxSender: "no-reply@" + (isPlainAddress("no-reply@" + host) ? host : "localhost"))
    }
}
