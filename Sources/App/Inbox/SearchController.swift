import Foundation
import Vapor

/// Search in the inbox: `GET /api/v1/search?q=…` and the inbox page's search box (`/inbox?q=…`).
enum SearchController {
    struct HitBody: Content {
        var type: String
        var conversation_id: UUID
        var message_id: UUID?
        var contact_name: String
        var phone: String?
        var at: Date
        var snippet: [InboxSearch.Fragment]

        init(_ hit: InboxSearch.Hit) {
            type = hit.kind.rawValue
            conversation_id = hit.conversationID
            message_id = hit.messageID
            contact_name = hit.contactName
            phone = hit.phone
            at = hit.at
            snippet = hit.snippet
        }
    }

    struct ResultsBody: Content {
        var query: String
        var results: [HitBody]
    }

    static let maxQueryLength = 200

    /// Why a query cannot run.
    enum Problem {
        case tooLong, nothingToFind
    }

    /// The `q` parameter, trimmed.
    static func query(of request: Request) -> String {
        (request.queryValue("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func problem(with query: String) -> Problem? {
        if query.count > maxQueryLength { return .tooLong }
        if InboxSearch.Terms(query).isEmpty { return .nothingToFind }
        return nil
    }

    static func api(_ request: Request, _ tenant: Tenant) async throws -> ResultsBody {
        let query = self.query(of: request)
        switch problem(with: query) {
        case .tooLong:
            throw APIError(.badRequest, code: "invalid_query", message: "q may be at most \(maxQueryLength) characters")
        case .nothingToFind:
            throw APIError(.badRequest, code: "invalid_query", message: "q needs a word or at least 3 digits of a phone number")
        case nil:
            break
        }
        let limit = request.query[Int.self, at: "limit"] ?? InboxSearch.defaultLimit
        let hits = try await InboxSearch(scope: tenant.scope, access: try await tenant.inboxAccess()).search(query, limit: limit)
        return ResultsBody(query: query, results: hits.map(HitBody.init))
    }
}
