import Foundation
import Vapor

/// Search in the inbox: `GET /api/v1/search?q=…` and the inbox page's search box (`/inbox?q=…`).
enum SearchController {
    struct FragmentBody: Content {
        var text: String
        var match: Bool
    }

    struct HitBody: Content {
        var type: String
        var conversation_id: UUID
        var message_id: UUID?
        var contact_name: String
        var phone: String?
        var at: Date
        var snippet: [FragmentBody]

        init(_ hit: InboxSearch.Hit) {
            type = hit.kind.rawValue
            conversation_id = hit.conversationID
            message_id = hit.messageID
            contact_name = hit.contactName
            phone = hit.phone
            at = hit.at
            snippet = hit.snippet.map { FragmentBody(text: $0.text, match: $0.match) }
        }
    }

    struct ResultsBody: Content {
        var query: String
        var results: [HitBody]
    }

    static let maxQueryLength = 200

    static func api(_ request: Request) async throws -> ResultsBody {
        let tenant = try request.tenant()
        try tenant.require(.viewConversations)
        let query = try self.query(of: request)
        guard !InboxSearch.Terms(query).isEmpty else {
            throw APIError(.badRequest, code: "invalid_query", message: "q needs a word or at least 3 digits of a phone number")
        }
        let limit = request.query[Int.self, at: "limit"] ?? InboxSearch.defaultLimit
        let hits = try await InboxSearch(scope: tenant.scope).search(query, limit: limit)
        return ResultsBody(query: query, results: hits.map(HitBody.init))
    }

    /// The `q` parameter, refused when it is longer than anyone types.
    static func query(of request: Request) throws -> String {
        let query = (request.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard query.count <= maxQueryLength else {
            throw APIError(.badRequest, code: "invalid_query", message: "q may be at most \(maxQueryLength) characters")
        }
        return query
    }
}
