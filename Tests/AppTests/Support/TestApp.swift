@testable import App
import ADSappCore
import Fluent
import FluentPostgresDriver
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import KeyVault
import Mail
import ObjectStore
import PostgresNIO
import SQLKit
import Synchronization
import Testing
import Vapor
import VaporTesting
import WhatsAppCloud

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_798_000_000)) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// Which database the app tests run on: SQLite in a temporary directory, or the PostgreSQL named by
/// `TEST_DATABASE_URL` (`scripts/test` starts one), where each test gets a database of its own.
///
/// Migrating takes longer than most tests, so each test process migrates once, into a template
/// (`MigratedTemplate`), and a test that wants a migrated database gets a copy of it: on PostgreSQL
/// `CREATE DATABASE … TEMPLATE`, on SQLite a copy of the file.
///
/// On PostgreSQL a finished test's migrated database is emptied back to the template's rows and
/// handed to the next test (`ReusableDatabases`): copying and dropping a database costs the server
/// more than emptying one, and a new database's first connections build its catalog caches again.
enum TestDatabase {
    static var postgresURL: String? { ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] }

    /// A new database: a copy of the migrated template if `migrated`, else an empty one.
    static func create(migrated: Bool) async throws -> (url: String?, drop: @Sendable () async throws -> Void) {
        guard let adminURL = postgresURL else { return (nil, {}) }
        let started = ContinuousClock.now
        defer { TestTimings.record("(creating a database)", since: started) }
        if migrated, let reused = await ReusableDatabases.shared.take() {
            return (url(adminURL, database: reused), { await ReusableDatabases.shared.giveBack(reused, adminURL: adminURL) })
        }
        let name = migrated ? ReusableDatabases.newName() : "adsapp_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        if migrated {
            let template = try await MigratedTemplate.shared.postgresName()
            // The default strategy (WAL_LOG): FILE_COPY checkpoints on every copy, and took twice as long with tests side by side.
            try await admin(adminURL, "CREATE DATABASE \(quoted: name) TEMPLATE \(quoted: template)")
            return (url(adminURL, database: name), { await ReusableDatabases.shared.giveBack(name, adminURL: adminURL) })
        }
        try await admin(adminURL, "CREATE DATABASE \(quoted: name)")
        return (
            url(adminURL, database: String(name)),
            {
                try await admin(adminURL, "DROP DATABASE IF EXISTS \(quoted: name) WITH (FORCE)")
            }
        )
    }

    /// Places a copy of the migrated SQLite template at `path`.
    static func copySQLiteTemplate(to path: String) async throws {
        let template = try await MigratedTemplate.shared.sqlitePath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: template, toPath: path)
    }

    static func url(_ adminURL: String, database: String) -> String {
        var components = URLComponents(string: adminURL)!
        components.path = "/" + database
        return components.string!
    }

    /// Runs one statement on its own connection to the server's administrative database.
    static func admin(_ url: String, _ sql: String) async throws {
        _ = try await query(url, sql)
    }

    /// Runs one statement on its own connection to the database `url` names; returns the first column as text.
    static func query(_ url: String, _ sql: String) async throws -> [String] {
        let logger = Logger(label: "test.database")
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            var values: [String] = []
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self) {
                values.append(value)
            }
            try await connection.close()
            return values
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

extension String.StringInterpolation {
    /// A quoted SQL identifier (the names here are ours: letters, digits and underscores).
    mutating func appendInterpolation<Name: StringProtocol>(quoted name: Name) {
        appendLiteral("\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
    }
}

/// Migrated PostgreSQL databases finished tests left, emptied and waiting for the next test.
///
/// Emptying runs `adsapp_test_empty()`, which the template defines: it deletes every row of every
/// table (foreign keys unchecked: everything goes), puts back the rows the template had (its
/// migration log) from copies in the `adsapp_test` schema, and restarts the sequences. A database
/// that cannot be emptied is dropped instead. The databases are named after the process, so a
/// later process drops those of one that ended.
actor ReusableDatabases {
    static let shared = ReusableDatabases()
    static let prefix = "adsapp_reuse_\(ProcessInfo.processInfo.processIdentifier)_"

    private var idle: [String] = []

    static func newName() -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
    }

    func take() -> String? { idle.popLast() }

    func giveBack(_ name: String, adminURL: String) async {
        do {
            _ = try await TestDatabase.query(TestDatabase.url(adminURL, database: name), "SELECT adsapp_test_empty()::text")
            idle.append(name)
        } catch {
            try? await TestDatabase.admin(adminURL, "DROP DATABASE IF EXISTS \(quoted: name) WITH (FORCE)")
        }
    }

    /// Defines `adsapp_test_empty()` in the freshly migrated template at `url`, with copies of the rows it has.
    static func prepare(template url: String) async throws {
        let tables = try await TestDatabase.query(url, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        var kept: [String] = []
        for table in tables where try await TestDatabase.query(url, "SELECT EXISTS (SELECT 1 FROM \(quoted: table))::text") == ["true"] {
            kept.append(table)
        }
        _ = try await TestDatabase.query(url, "CREATE SCHEMA adsapp_test")
        for table in kept {
            _ = try await TestDatabase.query(url, "CREATE TABLE adsapp_test.\(quoted: table) AS SELECT * FROM public.\(quoted: table)")
        }
        let deletes = tables.map { "DELETE FROM public.\(quote($0));" }.joined(separator: "\n")
        let restores = kept.map { "INSERT INTO public.\(quote($0)) SELECT * FROM adsapp_test.\(quote($0));" }.joined(separator: "\n")
        _ = try await TestDatabase.query(
            url,
            """
            CREATE FUNCTION adsapp_test_empty() RETURNS void LANGUAGE plpgsql AS $$
            DECLARE s record;
            BEGIN
            PERFORM set_config('session_replication_role', 'replica', true);
            \(deletes)
            \(restores)
            FOR s IN SELECT schemaname, sequencename, start_value FROM pg_sequences WHERE schemaname = 'public' LOOP
                PERFORM setval(quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename), s.start_value, false);
            END LOOP;
            END $$
            """)
    }

    private static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// The database this test process migrates once; tests get copies of it (`TestDatabase`).
///
/// On PostgreSQL it is a database named after the process (`adsapp_template_<pid>`), so parallel
/// test processes on one server do not share one; templates of processes that have ended are
/// dropped when the next one starts. PostgreSQL copies a template only while nobody is connected
/// to it: the app that migrates it is shut down before the first copy.
actor MigratedTemplate {
    static let shared = MigratedTemplate()

    private var postgres: Task<String, any Error>?
    private var sqlite: Task<String, any Error>?

    /// The SQLite template's directory, removed when the process exits.
    static let sqliteDirectory = FileManager.default.temporaryDirectory
        .appendingPathComponent("adsapp-template-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))").path

    func postgresName() async throws -> String {
        if let postgres { return try await postgres.value }
        let task = Task { try await Self.makePostgres() }
        postgres = task
        return try await task.value
    }

    func sqlitePath() async throws -> String {
        if let sqlite { return try await sqlite.value }
        let task = Task { try await Self.makeSQLite() }
        sqlite = task
        return try await task.value
    }

    private static func makePostgres() async throws -> String {
        guard let adminURL = TestDatabase.postgresURL else { throw Abort(.internalServerError, reason: "TEST_DATABASE_URL is not set") }
        let pid = ProcessInfo.processInfo.processIdentifier
        let name = "adsapp_template_\(pid)"
        // Templates of ended processes (and a stale one of a reused process id).
        // Templates and reusable databases of ended processes (and stale ones of a reused process id).
        let named = "SELECT datname::text FROM pg_database WHERE datname LIKE 'adsapp\\_template\\_%' OR datname LIKE 'adsapp\\_reuse\\_%'"
        for stale in try await TestDatabase.query(adminURL, named) {
            let digits = stale.dropFirst(stale.hasPrefix("adsapp_template_") ? "adsapp_template_".count : "adsapp_reuse_".count).prefix { $0.isNumber }
            guard let owner = Int32(digits) else { continue }
            if owner == pid || kill(owner, 0) != 0 {
                try? await TestDatabase.admin(adminURL, "DROP DATABASE IF EXISTS \(quoted: stale) WITH (FORCE)")
            }
        }
        try await TestDatabase.admin(adminURL, "CREATE DATABASE \(quoted: name)")
        let url = TestDatabase.url(adminURL, database: name)
        try await migrate(["DATABASE_URL": url, "DATABASE_POOL_SIZE": "1"])
        try await ReusableDatabases.prepare(template: url)
        return name
    }

    private static func makeSQLite() async throws -> String {
        atexit { try? FileManager.default.removeItem(atPath: MigratedTemplate.sqliteDirectory) }
        try await migrate([:], dataDirectory: sqliteDirectory)
        return sqliteDirectory + "/adsapp.sqlite"
    }

    /// Configures an app on the template's database, migrating it, and shuts it down (closing its connections).
    private static func migrate(_ variables: [String: String], dataDirectory: String = sqliteDirectory + "-postgres") async throws {
        let started = ContinuousClock.now
        defer { TestTimings.record("(migrating the template)", since: started) }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            var environment = ["APP_URL": "http://127.0.0.1:8080", "DATA_DIR": dataDirectory]
            environment.merge(variables) { $1 }
            let configuration = try AppConfiguration.load(from: environment, environment: .testing)
            try await configure(app, configuration: configuration, migrate: true)
            if let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                // Everything into the database file, so a copy of the file alone is the whole database.
                try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
            }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        if variables["DATABASE_URL"] != nil { try? FileManager.default.removeItem(atPath: dataDirectory) }
    }
}

/// With `TEST_TIMINGS` set, prints how long each app test held its slot, how long it waited for
/// one, and when (seconds since the first app test asked for a slot):
/// `TEST_TIMINGS <seconds> <test> [queued <seconds>, <start>-<end>]`. The costliest tests first:
/// `TEST_TIMINGS=1 swift test --skip-build | grep ^TEST_TIMINGS | sort -k2 -rn`.
enum TestTimings {
    static let enabled = ProcessInfo.processInfo.environment["TEST_TIMINGS"] != nil
    /// When the first app test asked for a slot.
    static let origin = ContinuousClock.now

    static func record(_ what: String, since start: ContinuousClock.Instant, queuedSince: ContinuousClock.Instant? = nil) {
        guard enabled else { return }
        let now = ContinuousClock.now
        var line = "TEST_TIMINGS \(seconds(now - start)) \(what)"
        if let queuedSince { line += " [queued \(seconds(start - queuedSince)), \(seconds(start - origin))-\(seconds(now - origin))]" }
        print(line)
    }

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.3f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
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
    /// How many apps run at once (`TEST_PARALLEL_APPS`, default 12).
    static let slots = TestSlots(ProcessInfo.processInfo.environment["TEST_PARALLEL_APPS"].flatMap { Int($0) } ?? 12)

    let app: Application
    let clock: TestClock

    var db: any Database { app.db }

    /// Runs `test` against a new app; `variables` are extra environment settings.
    static func run(
        variables: [String: String] = [:],
        migrate: Bool = true,
        logLevel: Logger.Level = .warning,
        clock: TestClock = TestClock(),
        graphAPI: (any GraphAPI)? = nil,
        objectStore: (any ObjectStore)? = nil,
        keyProvider: (any KeyProvider)? = nil,
        mailer: (any Mailer)? = nil,
        _ test: (TestApp) async throws -> Void
    ) async throws {
        _ = LogCapture.shared
        // Swift Testing starts every test at once; a few hundred apps with their own database pools
        // would exhaust PostgreSQL's connections and the machine's two cores.
        let queued = ContinuousClock.now
        _ = TestTimings.origin
        await TestApp.slots.acquire()
        defer { Task { await TestApp.slots.release() } }
        let started = ContinuousClock.now
        defer { TestTimings.record(Test.current?.name ?? "?", since: started, queuedSince: queued) }
        // SQLite in a directory of its own, removed afterwards (sqlite-kit's "memory" databases are temp files it never deletes).
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("adsapp-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        var environment = ["APP_URL": "http://127.0.0.1:8080", "DATA_DIR": dataDirectory]
        environment.merge(variables) { $1 }
        // A test that migrates starts from a copy of the migrated template; `configure` then finds nothing to do.
        let migrated = try migrate && AppConfiguration.load(from: environment, environment: .testing).autoMigrate
        let database = try await TestDatabase.create(migrated: migrated)
        if let url = database.url { environment["DATABASE_URL"] = url; environment["DATABASE_POOL_SIZE"] = "2" }
        environment.merge(variables) { $1 }
        let app = try await Application.make(.testing)
        app.logger.logLevel = logLevel
        do {
            let configuration = try AppConfiguration.load(from: environment, environment: .testing)
            if migrated, case .sqliteFile(let path) = configuration.database { try await TestDatabase.copySQLiteTemplate(to: path) }
            let dependencies = Dependencies(
                now: { clock.now }, randomBytes: Dependencies.live.randomBytes,
                graphAPI: graphAPI, objectStore: objectStore, keyProvider: keyProvider, mailer: mailer
            )
            try await configure(app, configuration: configuration, dependencies: dependencies, migrate: migrate)
            OnceBuiltResponder.install(on: app)
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
    func signUp(
        name: String = "Anna de Vries", organization: String = "Bakkerij Anna",
        email: String, password: String = "correct-horse-battery-staple-42"
    ) async throws -> Browser {
        let browser = browser()
        _ = try await browser.get("/signup")
        let response = try await browser.post("/signup", ["name": name, "organization": organization, "email": email, "password": password])
        #expect(response.status == .seeOther, "sign-up failed: \(response.body.string.prefix(500))")
        // Sign-up answers alike for new and taken addresses, so it signs nobody in: the new account signs in.
        let signIn = try await browser.post("/signin", ["email": email, "password": password])
        #expect(signIn.status == .seeOther, "sign-in after sign-up failed: \(signIn.body.string.prefix(500))")
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

/// The app's own responder (router and middleware), built once instead of for every request.
///
/// The in-memory tester asks `app.responder.current` for each request, and Vapor's default builds
/// the whole router again each time: a twentieth of the tests' CPU. This builds Vapor's default
/// responder once, and again only when a test adds a route of its own.
final class OnceBuiltResponder: Responder, Sendable {
    private let built = Mutex<(routeCount: Int, responder: any Responder)?>(nil)

    static func install(on app: Application) {
        let responder = OnceBuiltResponder()
        app.responder.use { _ in responder }
    }

    func respond(to request: Request) -> EventLoopFuture<Response> {
        let application = request.application
        let routeCount = application.routes.all.count
        let responder = built.withLock { built in
            if let built, built.routeCount == routeCount { return built.responder }
            let responder = application.responder.default
            built = (routeCount, responder)
            return responder
        }
        return responder.respond(to: request)
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

    /// Posts a form whose names may repeat (checkboxes), adding the CSRF token of the last page.
    func post(_ path: String, pairs: [(String, String)]) async throws -> TestingHTTPResponse {
        if csrfToken == nil { _ = try await get(cookies[Cookies.session] == nil ? "/signin" : "/account") }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        let body = (pairs + [(CSRFProtection.formField, csrfToken ?? "")]).map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }
            .joined(separator: "&")
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

extension TestApp {
    /// Runs the jobs that are due (and those they queue) in this task until none is due; returns how many ran.
    @discardableResult
    func runJobsUntilIdle() async throws -> Int {
        try await app.backgroundJobs.runUntilIdle(database: db, context: app.context, logger: Logger(label: "test.jobs"))
    }
}
