import Foundation
import Jobs
import Vapor
import WhatsAppCloud

/// Everything the app reads from its environment, parsed and checked once at start-up.
///
/// No configuration at all gives the embedded default (SQLite under `./data/`). In production,
/// a missing or malformed setting stops start-up with a message that names it.
public struct AppConfiguration: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqliteFile(path: String)
        case postgres(url: String)
    }

    public var environment: Environment
    /// Public base URL of the app, used for links in emails and to decide on `Secure` cookies.
    public var appURL: URL
    public var database: DatabaseChoice
    /// PostgreSQL pool size per event loop (there is one event loop per core).
    public var databaseConnectionsPerEventLoop: Int
    public var dataDirectory: String
    public var sessionIdleTimeout: TimeInterval
    public var sessionAbsoluteTimeout: TimeInterval
    public var loginThrottle: LoginThrottlePolicy
    /// `TRUSTED_PROXIES`: the peers whose `X-Forwarded-For` is believed (see `ClientAddress`).
    public var trustedProxies: [IPNetwork]
    public var bcryptCost: Int
    public var logFormat: LogFormat
    public var autoMigrate: Bool
    /// Whether `serve` also runs the background job workers (`JOBS_IN_PROCESS`).
    public var jobsInProcess: Bool
    public var jobs: JobWorker.Configuration
    public var whatsApp: WhatsAppSettings
    public var objectStore: ObjectStoreChoice
    /// Largest media file the app downloads from or uploads to WhatsApp.
    public var mediaMaxBytes: Int
    /// How old the inbox's tab counts may be before they are counted again (`ConversationCounts`).
    public var inboxCountsMaxAge: Duration
    /// How old a segment's contact count may be before it is counted again (`ContactCounts`).
    public var contactCountsMaxAge: Duration
    /// `LIVE_INBOX_REPLAY_LIMIT`: the most missed events a reconnecting live tab is sent; a tab
    /// further behind is told to reload instead (`LiveInbox`). Tests make it small.
    public var liveInboxReplayLimit: Int
    /// How email is sent (`RESEND_*`, `SMTP_*`; see `EmailSettings`).
    public var email: EmailSettings
    /// How long invitation, verification and password-reset links last (`AccountLinkSettings`).
    public var accountLinks: AccountLinkSettings = .standard
    /// How campaigns settle what a stopped process left behind (`CampaignSettings`).
    public var campaigns: CampaignSettings = .standard
    /// Plans and payments with Stripe, or none (`BillingSettings`).
    public var billing: BillingSettings = .selfHosted
    /// The model provider for AI assistance (`AISettings`); `nil`: AI is off.
    public var ai: AISettings? = nil

    public enum LogFormat: String, Sendable { case text, json }

    /// Cookies get `Secure` unless the app is served over plain http on a loopback address.
    public var usesSecureCookies: Bool {
        !(appURL.scheme == "http" && ["localhost", "127.0.0.1", "::1", "[::1]"].contains(appURL.host ?? ""))
    }

    public var isHTTPS: Bool { appURL.scheme == "https" }
}

/// The platform's Meta app, and optionally one number that organizations may connect without entering a token.
public struct WhatsAppSettings: Sendable, Equatable {
    /// `WHATSAPP_API_VERSION`, e.g. `v23.0`. Old versions expire, so it is a setting.
    public var apiVersion: String
    /// `WHATSAPP_GRAPH_URL`: the Graph API, or the simulator's address.
    public var graphURL: URL
    /// `WHATSAPP_APP_SECRET`: signs every webhook of the platform's Meta app. Without it (and without a
    /// connection's own secret) webhook POSTs are refused: an unsigned event is never trusted.
    public var appSecret: String?
    /// `WHATSAPP_WEBHOOK_VERIFY_TOKEN`: answers Meta's verification challenge on `/api/webhooks/whatsapp`.
    public var verifyToken: String?
    /// `WHATSAPP_ACCESS_TOKEN` + `WHATSAPP_PHONE_NUMBER_ID` (+ `WHATSAPP_BUSINESS_ACCOUNT_ID`): a number an owner can connect in one click.
    public var defaultConnection: DefaultConnection?
    /// `WHATSAPP_SENDS_PER_SECOND`: the per-number send rate (Meta's default 80; eligible numbers 1,000).
    public var sendsPerSecond: Int
    /// `WHATSAPP_WEBHOOK_MAX_BYTES`: larger webhook bodies are refused with 413.
    public var webhookMaxBytes: Int
    /// Meta's media host plus `WHATSAPP_MEDIA_HOSTS`: the only places a media download sends the access token.
    public var mediaHosts: MediaHosts = .meta

    public struct DefaultConnection: Sendable, Equatable {
        public var phoneNumberID: String
        public var businessAccountID: String?
        public var accessToken: String
    }
}

public enum ObjectStoreChoice: Sendable, Equatable {
    /// Files under `DATA_DIR/media`.
    case localDisk
    /// Any S3-compatible store, signed with SigV4.
    case s3(endpoint: URL, bucket: String, region: String, accessKeyID: String, secretAccessKey: String)
}

public struct LoginThrottlePolicy: Sendable {
    public var window: TimeInterval
    public var maxFailuresPerAccount: Int
    public var maxFailuresPerAddress: Int
    /// Sign-up attempts per client address in the window (`SIGNUP_MAX_PER_IP`).
    public var maxSignUpsPerAddress: Int = 10

    public static let standard = LoginThrottlePolicy(window: 15 * 60, maxFailuresPerAccount: 5, maxFailuresPerAddress: 30)
}

/// A setting that cannot be used, named so the operator knows what to fix.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var variable: String
    public var problem: String
    public var description: String { "Configuration error: \(variable) \(problem)" }
}

extension AppConfiguration {
    /// The only hosts a secret may reach over plain http or SMTP: it must not cross a network unencrypted.
    static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]

    /// The whole number in variable `name` (`value` gives its trimmed, non-empty text), `fallback` when unset.
    static func integer(
        _ name: String, _ value: (String) -> String?, default fallback: Int, range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Int {
        guard let raw = value(name) else { return fallback }
        guard let number = Int(raw), range.contains(number) else {
            throw ConfigurationError(variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(raw)\"")
        }
        return number
    }

    /// `WHATSAPP_MEDIA_HOSTS`: comma-separated hosts (https) or origins such as `http://127.0.0.1:4010`,
    /// added to Meta's media host. Plain http only for a loopback address: the token must not cross a network in the clear.
    static func mediaHosts(_ raw: String?) throws(ConfigurationError) -> MediaHosts {
        var hosts = MediaHosts.meta
        for item in (raw ?? "").split(separator: ",") {
            let text = item.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let origin = MediaHosts.Origin(parsing: text) else {
                throw ConfigurationError(
                    variable: "WHATSAPP_MEDIA_HOSTS",
                    problem: "must list host names (lookaside.fbsbx.com) or origins (http://127.0.0.1:4010) separated by commas, got \"\(text)\"")
            }
            guard origin.scheme == "https" || loopbackHosts.contains(origin.host) else {
                throw ConfigurationError(
                    variable: "WHATSAPP_MEDIA_HOSTS",
                    problem: "allows plain http only for a loopback address (the access token would cross the network unencrypted), got \"\(text)\"")
            }
            if !hosts.origins.contains(origin) { hosts.origins.append(origin) }
        }
        return hosts
    }

    /// Reads the configuration from environment variables (Vapor has already merged `.env` into them).
    public static func load(
        from variables: [String: String], environment: Environment
    ) throws(ConfigurationError) -> AppConfiguration {
        let isProduction = environment == .production
        func value(_ name: String) -> String? {
            guard let raw = variables[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            try AppConfiguration.integer(name, value, default: fallback, range: range)
        }

        let appURL: URL
        if let raw = value("APP_URL") {
            guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host?.isEmpty == false else {
                throw ConfigurationError(variable: "APP_URL", problem: "must be an absolute http(s) URL such as https://inbox.example.com, got \"\(raw)\"")
            }
            appURL = url
        } else if isProduction {
            throw ConfigurationError(variable: "APP_URL", problem: "is required in production (the public https URL of the app)")
        } else {
            let port = value("PORT") ?? "8080"
            appURL = URL(string: "http://127.0.0.1:\(port)")!
        }

        let dataDirectory = value("DATA_DIR") ?? "./data"
        let database: DatabaseChoice
        if let raw = value("DATABASE_URL") {
            guard let url = URLComponents(string: raw), ["postgres", "postgresql"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
                throw ConfigurationError(variable: "DATABASE_URL", problem: "must be a postgres://user:password@host:port/database URL")
            }
            database = .postgres(url: raw)
        } else {
            database = .sqliteFile(path: dataDirectory + "/adsapp.sqlite")
        }

        let logFormat: LogFormat
        if let raw = value("LOG_FORMAT") {
            guard let format = LogFormat(rawValue: raw) else {
                throw ConfigurationError(variable: "LOG_FORMAT", problem: "must be text or json, got \"\(raw)\"")
            }
            logFormat = format
        } else {
            logFormat = isProduction ? .json : .text
        }

        func flag(_ name: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
            switch value(name)?.lowercased() {
            case nil: fallback
            case "true", "1", "yes": true
            case "false", "0", "no": false
            case let other?: throw ConfigurationError(variable: name, problem: "must be true or false, got \"\(other)\"")
            }
        }

        var jobs = JobWorker.Configuration()
        jobs.defaultConcurrency = try integer("JOBS_CONCURRENCY", default: 8, range: 1...1000)
        // Webhook batches merge when they queue up (`ProcessWhatsAppWebhook`): a couple of big runs
        // beat many small ones that wait on each other's rows and, on SQLite, on its one connection.
        jobs.concurrency[.webhookProcessing] = 2
        // Stripe's events one at a time: two read back from Stripe at once could commit the older state last.
        jobs.concurrency["billing"] = 1
        if let raw = value("JOBS_QUEUE_CONCURRENCY") {
            // queue=n,queue=n
            for pair in raw.split(separator: ",") {
                let parts = pair.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, let limit = Int(parts[1]), (1...1000).contains(limit) else {
                    throw ConfigurationError(variable: "JOBS_QUEUE_CONCURRENCY", problem: "must look like bulk-messages=20,media=4, got \"\(raw)\"")
                }
                jobs.concurrency[QueueName(parts[0])] = limit
            }
        }
        jobs.lease = .seconds(try integer("JOBS_LEASE_SECONDS", default: 30, range: 3...3600))
        jobs.pollInterval = .milliseconds(try integer("JOBS_POLL_MILLISECONDS", default: 1000, range: 50...600_000))

        let apiVersion = value("WHATSAPP_API_VERSION") ?? "v23.0"
        guard apiVersion.wholeMatch(of: /v[0-9]{1,3}\.[0-9]{1,2}/) != nil else {
            throw ConfigurationError(variable: "WHATSAPP_API_VERSION", problem: "must look like v23.0, got \"\(apiVersion)\"")
        }
        func httpURL(_ name: String, default fallback: String) throws(ConfigurationError) -> URL {
            let raw = value(name) ?? fallback
            guard let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
                throw ConfigurationError(variable: name, problem: "must be an absolute http(s) URL, got \"\(raw)\"")
            }
            return url
        }
        var defaultConnection: WhatsAppSettings.DefaultConnection?
        switch (value("WHATSAPP_PHONE_NUMBER_ID"), value("WHATSAPP_ACCESS_TOKEN")) {
        case (let id?, let token?):
            guard id.allSatisfy(\.isNumber) else {
                throw ConfigurationError(variable: "WHATSAPP_PHONE_NUMBER_ID", problem: "must be the numeric phone number id from Meta's WhatsApp Manager")
            }
            defaultConnection = .init(phoneNumberID: id, businessAccountID: value("WHATSAPP_BUSINESS_ACCOUNT_ID"), accessToken: token)
        case (nil, nil):
            defaultConnection = nil
        case (nil, _):
            throw ConfigurationError(variable: "WHATSAPP_PHONE_NUMBER_ID", problem: "is required when WHATSAPP_ACCESS_TOKEN is set")
        case (_, nil):
            throw ConfigurationError(variable: "WHATSAPP_ACCESS_TOKEN", problem: "is required when WHATSAPP_PHONE_NUMBER_ID is set")
        }
        let whatsApp = WhatsAppSettings(
            apiVersion: apiVersion,
            graphURL: try httpURL("WHATSAPP_GRAPH_URL", default: "https://graph.facebook.com"),
            appSecret: value("WHATSAPP_APP_SECRET"),
            verifyToken: value("WHATSAPP_WEBHOOK_VERIFY_TOKEN"),
            defaultConnection: defaultConnection,
            sendsPerSecond: try integer("WHATSAPP_SENDS_PER_SECOND", default: 80, range: 1...1000),
            webhookMaxBytes: try integer("WHATSAPP_WEBHOOK_MAX_BYTES", default: 3_000_000, range: 10_000...50_000_000),
            mediaHosts: try mediaHosts(value("WHATSAPP_MEDIA_HOSTS"))
        )

        func trustedProxies() throws(ConfigurationError) -> [IPNetwork] {
            switch IPNetwork.list(value("TRUSTED_PROXIES") ?? "") {
            case .success(let networks): return networks
            case .failure(let bad):
                throw ConfigurationError(
                    variable: "TRUSTED_PROXIES", problem: "must be comma-separated IP addresses or CIDR blocks such as 10.0.0.0/8, got \"\(bad.text)\"")
            }
        }

        let objectStore: ObjectStoreChoice
        switch value("OBJECT_STORE") ?? "local" {
        case "local":
            objectStore = .localDisk
        case "s3":
            func required(_ name: String) throws(ConfigurationError) -> String {
                guard let text = value(name) else { throw ConfigurationError(variable: name, problem: "is required when OBJECT_STORE=s3") }
                return text
            }
            objectStore = .s3(
                endpoint: try httpURL("S3_ENDPOINT", default: "https://s3.amazonaws.com"),
                bucket: try required("S3_BUCKET"),
                region: value("S3_REGION") ?? "us-east-1",
                accessKeyID: try required("S3_ACCESS_KEY_ID"),
                secretAccessKey: try required("S3_SECRET_ACCESS_KEY")
            )
        case let other:
            throw ConfigurationError(variable: "OBJECT_STORE", problem: "must be local or s3, got \"\(other)\"")
        }

        return AppConfiguration(
            environment: environment,
            appURL: appURL,
            database: database,
            databaseConnectionsPerEventLoop: try integer("DATABASE_POOL_SIZE", default: 8, range: 1...100),
            dataDirectory: dataDirectory,
            sessionIdleTimeout: TimeInterval(try integer("SESSION_IDLE_TIMEOUT_MINUTES", default: 12 * 60, range: 5...(30 * 24 * 60)) * 60),
            sessionAbsoluteTimeout: TimeInterval(try integer("SESSION_ABSOLUTE_TIMEOUT_HOURS", default: 14 * 24, range: 1...(365 * 24)) * 3600),
            loginThrottle: LoginThrottlePolicy(
                window: LoginThrottlePolicy.standard.window,
                maxFailuresPerAccount: try integer("LOGIN_MAX_FAILURES_PER_ACCOUNT", default: 5, range: 1...1000),
                maxFailuresPerAddress: try integer("LOGIN_MAX_FAILURES_PER_IP", default: 30, range: 1...100_000),
                maxSignUpsPerAddress: try integer("SIGNUP_MAX_PER_IP", default: 10, range: 1...100_000)
            ),
            trustedProxies: try trustedProxies(),
            bcryptCost: try integer("BCRYPT_COST", default: environment == .testing ? 4 : 12, range: 4...16),
            logFormat: logFormat,
            autoMigrate: try flag("AUTO_MIGRATE", default: true),
            jobsInProcess: try flag("JOBS_IN_PROCESS", default: true),
            jobs: jobs,
            whatsApp: whatsApp,
            objectStore: objectStore,
            mediaMaxBytes: try integer("MEDIA_MAX_MEGABYTES", default: 100, range: 1...2000) * 1_000_000,
            // Tests read counts right after changing conversations: exact every time there.
            inboxCountsMaxAge: .milliseconds(try integer("INBOX_COUNTS_MAX_AGE_MILLISECONDS", default: environment == .testing ? 0 : 2000, range: 0...60_000)),
            contactCountsMaxAge: .milliseconds(
                try integer("CONTACT_COUNTS_MAX_AGE_MILLISECONDS", default: environment == .testing ? 0 : 2000, range: 0...60_000)),
            liveInboxReplayLimit: try integer("LIVE_INBOX_REPLAY_LIMIT", default: 1000, range: 1...100_000),
            email: try EmailSettings.load(appURL: appURL, value),
            accountLinks: try AccountLinkSettings.load(value),
            campaigns: try CampaignSettings.load(value),
            billing: try BillingSettings.load(value),
            ai: try AISettings.load(value)
        )
    }
}
