import Fluent
import Foundation
import SQLKit

/// A row that belongs to one organization. Every such table has an `organization_id` column.
protocol TenantOwned: Model where IDValue == UUID {
    static var organizationIDKey: KeyPath<Self, FieldProperty<Self, UUID>> { get }
}

/// The only way feature code reaches tenant-owned rows: every query it builds is already
/// filtered on the organization of the signed-in member, so an unscoped query is hard to write.
///
/// Obtain one from `Request.tenant()` (the member's current organization), never from an ID
/// taken from the request: an ID in a URL only selects rows inside the scope.
struct TenantScope: Sendable {
    let organizationID: UUID
    let database: any Database

    /// A query over `M` limited to this organization.
    func query<M: TenantOwned>(_ model: M.Type) -> QueryBuilder<M> {
        M.query(on: database).filter(M.organizationIDKey == organizationID)
    }

    /// The row with this id if it belongs to this organization; otherwise `nil`, exactly as if it did not exist.
    func find<M: TenantOwned>(_ model: M.Type, _ id: UUID?) async throws -> M? {
        guard let id else { return nil }
        return try await query(M.self).filter(\._$id == id).first()
    }

    /// A raw SQL query over tenant tables. `build` gets the organization and must bind it
    /// (`WHERE organization_id = \(bind: organization)`): a query that does not is refused before
    /// it reaches the database, so an unscoped raw query of tenant data cannot run.
    ///
    ///     try await scope.sql { organization in
    ///         "SELECT id FROM conversations WHERE organization_id = \(bind: organization) AND status = 'open'"
    ///     }.all()
    func sql(_ build: (_ organization: UUID) throws -> SQLQueryString) throws -> SQLRawBuilder {
        try sql(build(organizationID))
    }

    /// The same for a query built beforehand; it too must bind this scope's organization.
    func sql(_ query: SQLQueryString) throws -> SQLRawBuilder {
        _ = try serializedInScope(query)
        return database.sql.raw(query)
    }

    /// The query's text and binds for this database, once it is known to bind this scope's organization.
    func serializedInScope(_ query: SQLQueryString) throws -> (sql: String, binds: [any Encodable & Sendable]) {
        var serializer = SQLSerializer(database: database.sql)
        query.serialize(to: &serializer)
        guard serializer.binds.contains(where: { ($0 as? UUID) == organizationID }) else {
            throw UnscopedQuery(sql: serializer.sql)
        }
        return (serializer.sql, serializer.binds)
    }

    /// The SQL engine of this scope's database, for the few operations that differ between engines.
    var engine: any SQLEngine { database.sql.engine }

    /// Locks one of this organization's rows until the end of the transaction (`SQLEngine.lockRow`).
    func lockRow(of table: String, id: UUID) async throws {
        try await engine.lockRow(of: table, id: id, on: database.sql)
    }

    /// Keeps this transaction's short queries on one core (`SQLEngine.avoidParallelWorkers`).
    func avoidParallelWorkers() async throws {
        try await engine.avoidParallelWorkers(on: database.sql)
    }

    /// A scope over the same organization running inside a transaction.
    func transaction<T: Sendable>(_ work: @escaping @Sendable (TenantScope) async throws -> T) async throws -> T {
        try await database.transaction { database in
            try await work(TenantScope(organizationID: organizationID, database: database))
        }
    }
}

/// A raw query given to `TenantScope.sql` that does not bind the scope's organization.
struct UnscopedQuery: Error, CustomStringConvertible {
    let sql: String
    var description: String { "raw SQL on tenant tables must bind the organization: \(sql)" }
}
