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

    /// The engine's settings of a freshly opened database (`SQLiteEngine.prepare`: WAL, the cache of the one connection).
    static func prepare(_ database: any Database) async throws {
        let sql = database.sql
        try await sql.engine.prepare(sql)
    }
}
