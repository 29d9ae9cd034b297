import PostgresNIO

/// The text kept for a failed attempt and written to the logs: enough for an operator to act on,
/// without the row values a database error's detail can quote (phone numbers, message bodies).
enum ErrorText {
    static func of(_ error: any Error) -> String {
        guard let database = error as? PSQLError else { return String(describing: error) }
        var text = "database error (\(database.code))"
        if let state = database.serverInfo?[.sqlState] { text += " \(state)" }
        if let message = database.serverInfo?[.message] { text += ": \(message)" }
        return text
    }
}
