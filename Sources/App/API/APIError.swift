import ADSappCore
import Vapor

/// An error with a stable machine-readable code, shown to API clients as
/// `{"error":{"code":"...","message":"..."}}` and to people as a friendly page.
struct APIError: AbortError {
    var status: HTTPResponseStatus
    var code: String
    var message: String

    init(_ status: HTTPResponseStatus, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    var reason: String { message }

    /// A validation failure, naming every field and what is wrong with it.
    static func validation(_ failure: ValidationFailure) -> APIError {
        let details = failure.errors.map { error -> String in
            switch error.code {
            case .notAnInteger: "\(error.field) must be a whole number"
            case .outOfRange: "\(error.field) must be between 1 and \(error.limit ?? 0)"
            case .required: "\(error.field) is required"
            case .tooShort: "\(error.field) must have at least \(error.limit ?? 0) characters"
            case .tooLong: "\(error.field) must have at most \(error.limit ?? 0) characters"
            case .invalidEmail: "\(error.field) must be an email address"
            case .invalidCursor: "\(error.field) is not a cursor returned by this API"
            case .tooCommon: "\(error.field) is too common"
            case .containsEmail: "\(error.field) must not contain the email address"
            case .invalidChoice: "\(error.field) is not one of the allowed values"
            }
        }
        return APIError(.badRequest, code: "validation_failed", message: details.joined(separator: "; ") + ".")
    }
}

/// The JSON body of every API error.
struct APIErrorBody: Content {
    struct Detail: Content {
        var code: String
        var message: String
    }
    var error: Detail
}
