import Foundation

/// The upload form of a CSV import.
enum ContactImportPage {
    struct Model {
        var error: String?
        var maxMegabytes: Int
    }
}

/// The second step of a CSV import: the first rows of the file and what each column becomes.
enum ContactImportReviewPage {
    struct Model {
        var id: UUID
        var filename: String
        var encoding: String
        var delimiter: String
        var header: [String]
        var rows: [[String]]
        /// The guessed target of each column (`ColumnTarget.formValue`).
        var guesses: [String]
        var fields: [(key: String, label: String)]
        /// The tag for every contact of the file, as typed.
        var tagAll: String? = nil
        var error: String?
    }
}
