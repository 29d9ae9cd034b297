import Fluent
import SQLKit
import Vapor

/// Liveness and readiness for load balancers and orchestrators.
enum HealthController {
    struct Status: Content {
        var status: String
        var reason: String?
    }

    /// The process answers: nothing else is checked.
    static func health(_ request: Request) async throws -> Status {
        Status(status: "ok")
    }

    /// The database answers and every migration of this build has been applied.
    static func ready(_ request: Request) async throws -> Response {
        let status: Status
        do {
            let pending = try await pendingMigrations(request.db)
            status = pending.isEmpty ? Status(status: "ready") : Status(status: "not_ready", reason: "pending migrations: " + pending.joined(separator: ", "))
        } catch {
            request.logger.warning("readiness check failed: \(String(reflecting: error))")
            status = Status(status: "not_ready", reason: "database unreachable")
        }
        let response = Response(status: status.status == "ready" ? .ok : .serviceUnavailable)
        try response.content.encode(status, as: .json)
        return response
    }

    static func pendingMigrations(_ database: any Database) async throws -> [String] {
        let applied = try await database.sql
            .raw("SELECT name FROM _fluent_migrations")
            .all()
            .map { try $0.decode(column: "name", as: String.self) }
        return Migrations.all.map(\.name).filter { !applied.contains($0) }
    }
}
