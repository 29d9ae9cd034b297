import FluentKit
import SQLKit

/// Reads Fluent models from hand-written SQL, for the few queries every signed-in request runs.
///
/// Fluent finds a model's fields by reflection, several times for each query it builds and each
/// row it reads; the profile of `/dashboard` showed about half of the request's CPU there
/// (docs/benchmarks.md, section gains). `ModelRows` names a model's columns once, under an alias so
/// two models can share one row, and reads a row into the model through the fields the model lists
/// itself. The model comes out as Fluent loads one: it exists, and an update writes only what changed.
struct ModelRows<M: ListsDatabaseFields>: Sendable {
    let alias: String
    /// `"alias"."column" AS "alias_column", …` for every column of `M`, for a SELECT list.
    let columns: String

    init(_ model: M.Type, alias: String) {
        self.alias = alias
        columns = M.keys.map { key in
            "\"\(alias)\".\"\(key.description)\" AS \"\(alias)_\(key.description)\""
        }.joined(separator: ", ")
    }

    func model(from row: any SQLRow) throws -> M {
        let model = M(), output = AliasedRow(row: row, alias: alias)
        for field in model.databaseFields { try field.output(from: output) }
        return model
    }
}

/// A model that names its database fields itself, for `ModelRows` to read without reflection.
/// `ModelRowsTests` checks that the list holds every field Fluent finds, so a field added to the
/// model but not here fails a test rather than coming out unset.
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
