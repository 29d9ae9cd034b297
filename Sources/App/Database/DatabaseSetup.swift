import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

enum DatabaseSetup {
    /// Registers the database chosen by the configuration as the default one.
    static func register(_ app: Application, _ configuration: AppConfiguration) throws {
        switch configuration.database {
        case .sqliteFile(let path):
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            app.databases.use(
                DatabaseConfigurationFactory { sqliteConfiguration(.file(path), app) },
                as: .sqlite
            )
        case .postgres(let url):
            app.databases.use(
                .postgres(
                    configuration: try SQLPostgresConfiguration(url: url),
                    maxConnectionsPerEventLoop: configuration.databaseConnectionsPerEventLoop,
                    connectionPoolTimeout: .seconds(10)
                ),
                as: .psql
            )
        }
    }

    private static func sqliteConfiguration(_ storage: SQLiteConfiguration, _ app: Application) -> any DatabaseConfiguration {
        return SingleConnectionSQLiteConfiguration(
            base: DatabaseConfigurationFactory.sqlite(storage).make(),
            eventLoop: app.eventLoopGroup.any()
        )
    }

    /// Settings of the database file (WAL) and of the app's one SQLite connection.
    static func prepare(_ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("PRAGMA synchronous=NORMAL").run()
        try await sql.raw("PRAGMA busy_timeout=5000").run()
        // The whole app shares one connection: give it a page cache that holds the working set
        // (64 MiB) and read the file through a memory map, instead of a pread per page.
        try await sql.raw("PRAGMA cache_size=-65536").run()
        try await sql.raw("PRAGMA mmap_size=268435456").run()
    }
}
