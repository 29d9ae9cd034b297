import Fluent
import Foundation
import SQLKit
import Vapor

/// `/api/v1/segments`: saved contact filters, with their counts, and the contacts they select.
enum SegmentsAPIController {
    /// A filter in JSON, with the names of the query string (`ContactFilter`).
    struct FilterBody: Content, Equatable {
        struct Field: Content, Equatable {
            var field: String
            var op: String
            var value: String?
        }

        var q: String?
        var tag: [String]?
        var marketing: String?
        var inbound_after: String?
        var inbound_before: String?
        var number: String?
        var prefix: String?
        var fields: [Field]?

        init(_ filter: ContactFilter) {
            var named: [String: [String]] = [:]
            for item in filter.queryItems { named[item.name, default: []].append(item.value ?? "") }
            q = named["q"]?.first
            tag = named["tag"] ?? []
            marketing = named["marketing"]?.first
            inbound_after = named["inbound_after"]?.first
            inbound_before = named["inbound_before"]?.first
            number = named["number"]?.first
            prefix = named["prefix"]?.first
            fields = filter.fields.map { Field(field: $0.fieldID.uuidString, op: $0.op.rawValue, value: $0.value) }
        }

        var filter: ContactFilter {
            get throws {
                var items: [URLQueryItem] = []
                func add(_ name: String, _ value: String?) { if let value { items.append(URLQueryItem(name: name, value: value)) } }
                add("q", q)
                for tag in tag ?? [] { add("tag", tag) }
                add("marketing", marketing)
                add("inbound_after", inbound_after)
                add("inbound_before", inbound_before)
                add("number", number)
                add("prefix", prefix)
                for field in fields ?? [] {
                    guard !field.field.isEmpty else { throw Abort(.badRequest, reason: "Every field condition needs a field.") }
                    add("field", field.field)
                    add("op", field.op)
                    add("value", field.value ?? "")
                }
                return try ContactFilter(items: items)
            }
        }
    }

    struct SegmentBody: Content {
        var id: UUID
        var name: String
        var filter: FilterBody
        var count: Int
        var created_at: Date
        var updated_at: Date
    }

    struct SegmentInput: Content {
        var name: String?
        var filter: FilterBody?
    }

    struct ContactBody: Content {
        var id: UUID
        var name: String
        var phone: String?
        var email: String?
        var marketing_status: String
        var created_at: Date
    }

    /// `Abort(.badRequest)` from the filter and name checks, in the API's error shape.
    static func validating<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let abort as Abort where abort.status == .badRequest {
            throw APIError(.badRequest, code: "validation_failed", message: abort.reason)
        }
    }

    static func body(_ segment: Segment, in scope: TenantScope) async throws -> SegmentBody {
        let count = (try? await segment.count(in: scope)) ?? 0
        return SegmentBody(
            id: try segment.requireID(), name: segment.name, filter: FilterBody(segment.filter), count: count, created_at: segment.createdAt,
            updated_at: segment.updatedAt)
    }

    static func list(_ request: Request, _ tenant: Tenant) async throws -> Page<SegmentBody> {
        let segments = try await tenant.scope.query(Segment.self).sort(\.$name).all()
        var bodies: [SegmentBody] = []
        for segment in segments { bodies.append(try await body(segment, in: tenant.scope)) }
        return Page(data: bodies, next_cursor: nil)
    }

    static func show(_ request: Request, _ tenant: Tenant) async throws -> SegmentBody {
        try await body(try await tenant.find(Segment.self, parameter: SiteURL.segmentID, of: request), in: tenant.scope)
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try request.content.decode(SegmentInput.self)
        let segment = try await validating {
            let filter = try input.filter?.filter ?? ContactFilter()
            try await Segment.check(filter, in: tenant.scope)
            return Segment(organizationID: tenant.organizationID, name: try Segment.checkedName(input.name), filter: filter, now: request.now)
        }
        try await save(segment, tenant)
        return try await body(segment, in: tenant.scope).encodeResponse(status: .created, for: request)
    }

    static func update(_ request: Request, _ tenant: Tenant) async throws -> SegmentBody {
        let segment = try await tenant.find(Segment.self, parameter: SiteURL.segmentID, of: request)
        let input = try request.content.decode(SegmentInput.self)
        try await validating {
            if let name = input.name { segment.name = try Segment.checkedName(name) }
            if let filter = try input.filter?.filter {
                try await Segment.check(filter, in: tenant.scope)
                segment.filter = filter
            }
        }
        segment.updatedAt = request.now
        try await save(segment, tenant)
        return try await body(segment, in: tenant.scope)
    }

    static func delete(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        let segment = try await tenant.find(Segment.self, parameter: SiteURL.segmentID, of: request)
        try await segment.delete(on: tenant.scope.database)
        return .noContent
    }

    /// The segment's contacts, oldest first, a page at a time like every list.
    static func contacts(_ request: Request, _ tenant: Tenant) async throws -> Page<ContactBody> {
        let segment = try await tenant.find(Segment.self, parameter: SiteURL.segmentID, of: request)
        let page = try request.pageRequest()
        let cursor = try page.cursor.map(KeysetCursor.init(decoding:))
        let scope = tenant.scope
        let condition = try await validating { try await segment.filter.sqlCondition(in: scope) }
        let after: SQLQueryString =
            cursor.map { "AND (created_at > \(bind: $0.createdAt) OR (created_at = \(bind: $0.createdAt) AND id > \(bind: $0.id)))" } ?? ""
        let rows = try await scope.sql(
            """
            SELECT id, name, profile_name, wa_id, user_id, email, marketing_status, created_at FROM contacts
            WHERE \(condition) \(after)
            ORDER BY created_at, id LIMIT \(bind: page.limit + 1)
            """
        ).all()
        var bodies: [ContactBody] = []
        for row in rows.prefix(page.limit) {
            let waID = try row.decode(column: "wa_id", as: String?.self)
            let name =
                try row.decode(column: "name", as: String?.self)
                ?? Contact.displayName(
                    profileName: try row.decode(column: "profile_name", as: String?.self), waID: waID,
                    userID: try row.decode(column: "user_id", as: String?.self))
            bodies.append(
                ContactBody(
                    id: try row.decode(column: "id", as: UUID.self), name: name, phone: waID.map { "+" + $0 },
                    email: try row.decode(column: "email", as: String?.self), marketing_status: try row.decode(column: "marketing_status", as: String.self),
                    created_at: try row.decode(column: "created_at", as: Date.self)))
        }
        let next = rows.count > page.limit ? bodies.last.map { KeysetCursor(createdAt: $0.created_at, id: $0.id).encoded } : nil
        return Page(data: bodies, next_cursor: next)
    }

    /// Saves, answering `409` when the organization has a segment of that name (in any case).
    static func save(_ segment: Segment, _ tenant: Tenant) async throws {
        do {
            try await segment.saveWithUniqueName(in: tenant.scope)
        } catch is Segment.NameTaken {
            throw APIError(.conflict, code: "name_taken", message: "A segment named \"\(segment.name)\" exists already.")
        }
    }
}

extension SegmentsAPIController {
    struct CountBody: Content { var count: Int }

    /// `GET /contacts/segments/count?<filter>`: the live count of the segment editor, `{"count": N}`.
    /// A field, tag or number of another organization is refused (`400`), never counted.
    static func liveCount(_ request: Request, _ tenant: Tenant) async throws -> CountBody {
        let filter = try ContactFilter(query: request.query)
        try await Segment.check(filter, in: tenant.scope)
        return CountBody(count: try await request.application.contactCounts.count(filter, in: tenant.scope))
    }
}
