import FluentKit
import SQLKit

/// Reads Fluent models from hand-written SQL, for the few queries every signed-in request runs.
///
/// Fluent finds a model's fields by reflection, several times for each query it builds and each
/// row it reads; the profile of `/dashboard` showed about half of the request's CPU there
/// (docs/benchmarks.md, section http). `ModelRows` names a model's columns once, under an alias so
/// two models can share one row, and turns a row into a model in one pass over its fields. The
/// model comes out as Fluent loads one: it exists, and an update writes only what was changed.
struct ModelRows<M: Model>: Sendable {
    let alias: String
    /// `"alias"."column" AS "alias_column", …` for every column of `M`, for a SELECT list.
    let columns: String
    private let read: @Sendable (M, any DatabaseOutput) throws -> Void

    /// Rows of any model, read as Fluent reads them (its fields found by reflection, once a row).
    init(_ model: M.Type, alias: String) {
        self.init(alias: alias) { model, row in try model.output(from: row) }
    }

    /// Rows of a model that lists its fields: read without reflection.
    init(_ model: M.Type, alias: String) where M: ListsDatabaseFields {
        self.init(alias: alias) { model, row in
            for field in model.databaseFields { try field.output(from: row) }
        }
    }

    private init(alias: String, read: @escaping @Sendable (M, any DatabaseOutput) throws -> Void) {
        self.alias = alias
        self.read = read
        columns = M.keys.map { key in
            "\"\(alias)\".\"\(key.description)\" AS \"\(alias)_\(key.description)\""
        }.joined(separator: ", ")
    }

    func model(from row: any SQLRow) throws -> M {
        let model = M()
        try read(model, AliasedRow(row: row, alias: alias))
        return model
    }
}

/// A model that names its database fields itself, for `ModelRows` to read without reflection.
/// `ModelRowsTests` checks that the list holds every field Fluent finds.
protocol ListsDatabaseFields: Model {
    var databaseFields: [any AnyDatabaseProperty] { get }
}

/// A row whose columns carry an alias prefix, as `ModelRows.columns` selects them.
private struct AliasedRow: DatabaseOutput {
    let row: any SQLRow
    let alias: String

    var description: String { "\(alias): \(row)" }
    func schema(_ schema: String) -> any DatabaseOutput { self }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: column(key)) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: column(key)) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T { try row.decode(column: column(key), as: T.self) }

    private func column(_ key: FieldKey) -> String { alias + "_" + key.description }
}
