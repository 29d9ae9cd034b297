import ADSappCore
import Foundation
import Vapor

extension Request {
    /// The validated `limit` and `cursor` of a list endpoint. Malformed values answer 400, never a silent default.
    func pageRequest() throws -> PageRequest {
        do {
            return try PageRequest(limit: queryValue("limit"), cursor: queryValue("cursor"))
        } catch {
            throw APIError.validation(error)
        }
    }
}

/// A keyset position in a list sorted by creation time, then id: stable while rows are added.
struct KeysetCursor: Equatable {
    var createdAt: Date
    var id: UUID

    var encoded: String {
        let text = "\(Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded()))|\(id.uuidString)"
        return Data(text.utf8).base64URLEncoded()
    }

    init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    init(decoding cursor: String) throws {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { throw Self.invalid }
        let parts = text.split(separator: "|")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { throw Self.invalid }
        self.createdAt = Date(timeIntervalSince1970: Double(micros) / 1_000_000)
        self.id = id
    }

    static let invalid = APIError.validation(ValidationFailure([FieldError(field: "cursor", code: .invalidCursor)]))
}

/// One page of a list, as every list endpoint answers.
struct Page<Item: Content>: Content {
    var data: [Item]
    var next_cursor: String?
}
