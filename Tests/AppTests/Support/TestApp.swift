@testable import App
import ADSappCore
import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Synchronization
import Testing
import Vapor
import VaporTesting

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_798_000_000)) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// Which database the app tests run on: SQLite in memory, or the PostgreSQL named by
/// `TEST_DATABASE_URL` (`scripts/test` starts one), where each test gets a database of its own.
enum TestDatabase {
    static var postgresURL: String? { ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] }

    static func create() async throws -> (url: String?, drop: @Sendable () async throws -> Void) {
        guard let adminURL = postgresURL else { return (nil, {}) }
        let name = "adsapp_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await withAdmin(adminURL) { try await $0.raw("CREATE DATABASE \(ident: String(name))").run() }
        var components = URLComponents(string: adminURL)!
        components.path = "/" + name
        return (components.string!, {
            try await withAdmin(adminURL) { try await $0.raw("DROP DATABASE IF EXISTS \(ident: String(name)) WITH (FORCE)").run() }
        })
    }

    private static func withAdmin(_ url: String, _ work: (any SQLDatabase) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            app.databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: url), maxConnectionsPerEventLoop: 1), as: .psql)
            try await work(app.db as! any SQLDatabase)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// Admits a bounded number of holders at once; the rest wait in order.
actor TestSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// A configured app on a fresh database, with a fixed clock.
struct TestApp {
    static let slots = TestSlots(12)

    let app: Application
    let clock: TestClock

    var db: any Database { app.db }

    /// Runs `test` against a new app; `variables` are extra environment settings.
    static func run(
        variables: [String: String] = [:],
        migrate: Bool = true,
        logLevel: Logger.Level = .warning,
        clock: TestClock = TestClock(),
        _ test: (TestApp) async throws -> Void
    ) async throws {
        _ = LogCapture.shared
        // Swift Testing starts every test at once; a few hundred apps with their own database pools
        // would exhaust PostgreSQL's connections and the machine's two cores.
        await TestApp.slots.acquire()
        defer { Task { await TestApp.slots.release() } }
        let database = try await TestDatabase.create()
        // SQLite in a directory of its own, removed afterwards (sqlite-kit's "memory" databases are temp files it never deletes).
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("adsapp-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        var environment = ["APP_URL": "http://127.0.0.1:8080", "DATA_DIR": dataDirectory]
        if let url = database.url { environment["DATABASE_URL"] = url; environment["DATABASE_POOL_SIZE"] = "2" }
        environment.merge(variables) { $1 }
        let app = try await Application.make(.testing)
        app.logger.logLevel = logLevel
        do {
            let configuration = try AppConfiguration.load(from: environment, environment: .testing)
            let dependencies = Dependencies(now: { clock.now }, randomBytes: Dependencies.live.randomBytes)
            try await configure(app, configuration: configuration, dependencies: dependencies, migrate: migrate)
            try await test(TestApp(app: app, clock: clock))
        } catch {
            try? await app.asyncShutdown()
            try? await database.drop()
            throw error
        }
        try await app.asyncShutdown()
        try await database.drop()
    }

    func browser(acceptLanguage: String = "en-US,en;q=0.9", address: String? = nil) -> Browser {
        Browser(app: app, acceptLanguage: acceptLanguage)
    }

    /// Signs up a new person with their own organization and returns their browser.
    @discardableResult
    func signUp(name: String = "Anna de Vries", organization: String = "Bakkerij Anna",
                email: String, password: String = "correct-horse-battery-staple-42") async throws -> Browser {
        let browser = browser()
        _ = try await browser.get("/signup")
        let response = try await browser.post("/signup", ["name": name, "organization": organization, "email": email, "password": password])
        #expect(response.status == .seeOther, "sign-up failed: \(response.body.string.prefix(500))")
        return browser
    }

    /// Adds an existing user to an organization with a role, as an invitation will later.
    func addMember(email: String, to organizationID: UUID, role: Role) async throws -> Membership {
        let user = try #require(try await User.query(on: db).filter(\.$email == email).first())
        let membership = Membership(organizationID: organizationID, userID: user.id!, role: role, createdAt: clock.now)
        try await membership.create(on: db)
        return membership
    }

    func organization(named name: String) async throws -> Organization {
        try #require(try await Organization.query(on: db).filter(\.$name == name).first())
    }
}

/// A browser: keeps cookies, knows the page's CSRF token, follows nothing on its own.
final class Browser: @unchecked Sendable {
    let app: Application
    var acceptLanguage: String
    var cookies: [String: String] = [:]
    var csrfToken: String?
    var lastSetCookies: [String: HTTPCookies.Value] = [:]

    init(app: Application, acceptLanguage: String) {
        self.app = app
        self.acceptLanguage = acceptLanguage
    }

    var sessionToken: String? { cookies[Cookies.session] }

    func get(_ path: String, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: extra)
    }

    /// Posts a form, adding the CSRF token of the last page unless `csrf` says otherwise.
    func post(_ path: String, _ fields: [String: String] = [:], csrf: String? = nil, includeCSRF: Bool = true) async throws -> TestingHTTPResponse {
        var fields = fields
        if includeCSRF {
            if csrfToken == nil { _ = try await get(cookies[Cookies.session] == nil ? "/signin" : "/account") }
            fields[CSRFProtection.formField] = csrf ?? csrfToken ?? ""
        }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        let body = fields.map { "\(Self.formEncode($0.key))=\(Self.formEncode($0.value))" }.joined(separator: "&")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// A JSON API call; changes carry the session's CSRF token as the header.
    func api(_ method: HTTPMethod, _ path: String, json: String? = nil, csrfHeader: Bool = true) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        if let json { headers.contentType = .json; _ = json }
        if csrfHeader, method != .GET {
            if csrfToken == nil { _ = try await get("/account") }
            headers.add(name: CSRFProtection.header, value: csrfToken ?? "")
        }
        return try await send(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    func send(_ method: HTTPMethod, _ path: String, headers extra: HTTPHeaders = [:], body: ByteBuffer? = nil) async throws -> TestingHTTPResponse {
        var headers = extra
        headers.replaceOrAdd(name: .acceptLanguage, value: acceptLanguage)
        // Like every browser, name the page's origin on a POST (CSRFProtection checks it); tests of foreign pages set their own.
        if ![.GET, .HEAD].contains(method), !headers.contains(name: .origin) {
            headers.add(name: .origin, value: Self.origin(of: app.context.configuration.appURL))
        }
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        lastSetCookies = [:]
        for value in response.headers[.setCookie] {
            guard let (name, cookie) = HTTPCookies.parseSetCookie(value) else { continue }
            lastSetCookies[name] = cookie
            if cookie.string.isEmpty || cookie.maxAge == 0 { cookies[name] = nil } else { cookies[name] = cookie.string }
            // A new session has a new CSRF token: like a browser, learn it from the next page.
            if name == Cookies.session { csrfToken = nil }
        }
        if let token = Self.csrfField(in: response.body.string) { csrfToken = token }
        return response
    }

    static func origin(of url: URL) -> String {
        "\(url.scheme ?? "http")://\(url.host ?? "")" + (url.port.map { ":\($0)" } ?? "")
    }

    static func csrfField(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: "%20", with: "+")
    }
}

extension HTTPCookies {
    /// Parses one `Set-Cookie` header value into its name and attributes.
    static func parseSetCookie(_ header: String) -> (String, HTTPCookies.Value)? {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first, let equals = first.firstIndex(of: "=") else { return nil }
        var value = HTTPCookies.Value(string: String(first[first.index(after: equals)...]))
        for attribute in parts.dropFirst() {
            let pair = attribute.split(separator: "=", maxSplits: 1).map(String.init)
            switch pair[0].lowercased() {
            case "max-age": value.maxAge = pair.count > 1 ? Int(pair[1]) : nil
            case "path": value.path = pair.count > 1 ? pair[1] : nil
            case "secure": value.isSecure = true
            case "httponly": value.isHTTPOnly = true
            case "samesite": value.sameSite = pair.count > 1 ? HTTPCookies.SameSitePolicy(rawValue: pair[1]) : nil
            default: break
            }
        }
        return (String(first[..<equals]), value)
    }
}
