import Vapor

/// An error as the Graph API answers it:
/// `{"error":{"message","type","code","error_subcode","error_data":{"messaging_product","details"},"fbtrace_id"}}`.
struct GraphAPIError: Error, Sendable {
    var httpStatus: HTTPResponseStatus
    var code: Int
    var subcode: Int?
    var type: String = "OAuthException"
    var message: String
    /// Only WhatsApp errors carry `error_data`; Graph-level ones (such as 190) do not.
    var details: String?

    var body: JSONValue {
        var error: [String: JSONValue] = [
            "message": .string(message),
            "type": .string(type),
            "code": .number(Double(code)),
            "fbtrace_id": .string(Identifiers.fbtraceID()),
        ]
        if let subcode { error["error_subcode"] = .number(Double(subcode)) }
        if let details { error["error_data"] = ["messaging_product": "whatsapp", "details": .string(details)] }
        return ["error": .object(error)]
    }

    var response: Response {
        let response = Response(status: httpStatus, body: .init(data: body.encoded()))
        response.headers.contentType = .json
        if httpStatus == .unauthorized {
            response.headers.replaceOrAdd(name: "WWW-Authenticate", value: #"OAuth "Facebook Platform" "invalid_token" "\#(message)""#)
        }
        return response
    }
}

extension GraphAPIError {
    static let missingToken = GraphAPIError(
        httpStatus: .unauthorized, code: 190,
        message: "An active access token must be used to query information about the current user.")

    static let invalidToken = GraphAPIError(
        httpStatus: .unauthorized, code: 190,
        message: "Invalid OAuth access token - Cannot parse access token")

    static let expiredToken = GraphAPIError(
        httpStatus: .unauthorized, code: 190, subcode: 463,
        message: "Error validating access token: Session has expired.")

    static func unknownObject(_ id: String, _ method: HTTPMethod) -> GraphAPIError {
        let verb = method == .GET ? "get" : (method == .DELETE ? "delete" : "post")
        return GraphAPIError(
            httpStatus: .badRequest, code: 100, subcode: 33,
            message:
                "Unsupported \(verb) request. Object with ID '\(id)' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        )
    }

    static func invalidParameter(_ details: String) -> GraphAPIError {
        GraphAPIError(httpStatus: .badRequest, code: 100, message: "(#100) Invalid parameter", details: details)
    }

    static let reengagementRequired = GraphAPIError(
        httpStatus: .badRequest, code: 131047, message: "(#131047) Re-engagement message",
        details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.")

    static let throughputExceeded = GraphAPIError(
        httpStatus: .badRequest, code: 130429, message: "(#130429) Rate limit hit",
        details: "Cloud API message throughput has been reached.")

    static let pairRateExceeded = GraphAPIError(
        httpStatus: .badRequest, code: 131056, message: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.")

    /// What Meta answers for a customer it will not deliver to.
    static func recipientRefused(_ code: Int) -> GraphAPIError {
        switch code {
        case 131026:
            GraphAPIError(
                httpStatus: .badRequest, code: code, message: "(#131026) Message Undeliverable",
                details: "Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.")
        case 131048:
            GraphAPIError(
                httpStatus: .badRequest, code: code, message: "(#131048) Spam rate limit hit",
                details: "Message failed to send because there are restrictions on how many messages can be sent from this phone number.")
        default:
            GraphAPIError(
                httpStatus: .badRequest, code: code, message: "(#\(code)) Message not delivered",
                details: "This message was not delivered to maintain healthy ecosystem engagement.")
        }
    }

    static func templateMissing(name: String, language: String) -> GraphAPIError {
        GraphAPIError(
            httpStatus: .badRequest, code: 132001, message: "(#132001) Template name does not exist in the translation",
            details: "template name (\(name)) does not exist in \(language)")
    }

    static func mediaNotFound(_ id: String) -> GraphAPIError {
        GraphAPIError(
            httpStatus: .badRequest, code: 131009, message: "(#131009) Parameter value is not valid",
            details: "Media id \(id) does not exist or does not belong to this phone number.")
    }
}
