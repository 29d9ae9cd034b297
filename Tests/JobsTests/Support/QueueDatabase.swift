import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Jobs
import Logging
import NIOPosix
import SQLKit
import Testing
import Synchronization

/// Time that moves only when a test says so.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_798_000_000)) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// The engines the queue runs on: SQLite always, PostgreSQL too when `TEST_DATABASE_URL` names a server.
enum Engine: String, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql

    static var available: [Engine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgresql] }
    static var postgresURL: String? { ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] }
    var testDescription: String { rawValue }
}

/// A database with only the queue's tables, no app: a SQLite file in a temporary directory, or a
/// fresh PostgreSQL database that is dropped afterwards.
struct QueueDatabase {
    let db: any Database
    let clock: TestClock
    var sql: any SQLDatabase { db as! any SQLDatabase }

    func store() -> JobStore { JobStore(database: db, now: { [clock] in clock.now }) }

    static func run(_ engine: Engine, _ test: (QueueDatabase) async throws -> Void) async throws {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        var logger = Logger(label: "jobs-tests")
        logger.logLevel = .warning
        var cleanup: () async throws -> Void = {}
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adsapp-jobs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            databases.use(.sqlite(.file(directory.appendingPathComponent("jobs.sqlite").path)), as: .sqlite)
            cleanup = { try? FileManager.default.removeItem(at: directory) }
        case .postgresql:
            let adminURL = try #require(Engine.postgresURL)
            let name = "adsapp_jobs_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await withAdmin(adminURL) { try await $0.raw("CREATE DATABASE \(ident: String(name))").run() }
            var components = try #require(URLComponents(string: adminURL))
            components.path = "/" + name
            databases.use(
                .postgres(configuration: try SQLPostgresConfiguration(url: try #require(components.string)), maxConnectionsPerEventLoop: 2), as: .psql)
            cleanup = { try await withAdmin(adminURL) { try await $0.raw("DROP DATABASE IF EXISTS \(ident: String(name)) WITH (FORCE)").run() } }
        }
        do {
            let db = try #require(databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()))
            // The one app table the queue refers to (`jobs.organization_id`), then the queue's own migration.
            try await db.schema("organizations").field("id", .uuid, .identifier(auto: false)).create()
            try await CreateJobs().prepare(on: db)
            try await test(QueueDatabase(db: db, clock: TestClock()))
        } catch {
            await databases.shutdownAsync()
            try? await cleanup()
            throw error
        }
        await databases.shutdownAsync()
        try await cleanup()
    }

    /// An organization row for jobs that belong to one.
    func addOrganization() async throws -> UUID {
        let id = UUID()
        try await sql.insert(into: "organizations").columns("id").values(SQLBind(id)).run()
        return id
    }

    private static func withAdmin(_ url: String, _ work: (any SQLDatabase) async throws -> Void) async throws {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: url), maxConnectionsPerEventLoop: 1), as: .psql)
        do {
            let db = try #require(databases.database(logger: Logger(label: "jobs-tests-admin"), on: MultiThreadedEventLoopGroup.singleton.any()))
            try await work(db as! any SQLDatabase)
        } catch {
            await databases.shutdownAsync()
            throw error
        }
        await databases.shutdownAsync()
    }
}
