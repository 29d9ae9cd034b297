import Fluent
import Foundation
import SQLKit
import Vapor

/// The contact list's query, shared by the page and `/api/v1/contacts`: `ContactFilter` plus a
/// keyset on `(created_at, id)` descending, which the `contacts_organization_created` index serves.
///
/// A filtered page is found in one of two ways, because neither is fast for every filter. Walking
/// the contacts newest first and testing each finds a page at once when many contacts match, but
/// reads the whole organization when the few that match are old (a search for a name imported
/// first: 60 ms at 100,000 contacts). Taking the matches from the filter's own indexes and sorting
/// them is fast when few match, slow when most do. So a filtered page first tests only the newest
/// `window` contacts; a full page there is the right answer (every match further on is older), and
/// otherwise the filter's indexes find the matches. A search (which narrows, and has the trigram
/// index) asks the index first, for at most `window` matches: when they are all there is, sorting them
/// is the page; when there are more, the newest are walked as above.
enum ContactList {
    /// How many of the newest contacts a filtered page tests before it asks the filter's indexes.
    static let window = 2_000

    /// How a page's matches are found (see `ContactList`).
    enum Plan: Sendable, Equatable {
        /// Every contact newest first, each tested: the plan of an unfiltered list.
        case newestFirst
        /// Only the newest this many contacts (after the cursor), each tested.
        case amongNewest(Int)
        /// Every match by the filter's own indexes, then sorted.
        case matchesFirst
        /// At most this many matches plus one by the filter's indexes, sorted, each row saying how many
        /// were found (`found`): the page when they are not more than the cap.
        case matchesUpTo(Int)
    }

    static func page(
        _ filter: ContactFilter, after cursor: KeysetCursor?, limit: Int, window: Int = window, in scope: TenantScope
    ) async throws -> (rows: [ContactListPage.Row], next: KeysetCursor?) {
        let condition = try await filter.sqlCondition(in: scope)
        func fetch(_ plan: Plan) async throws -> [any SQLRow] {
            try await scope.sql { organization in
                query(condition, organization: organization, after: cursor, limit: limit + 1, plan: plan)
            }.all()
        }
        var rows: [any SQLRow] = []
        var found = false
        if let search = filter.search, !search.isEmpty {
            rows = try await fetch(.matchesUpTo(window))
            found = try rows.first.map { try $0.decode(column: "found", as: Int.self) <= window } ?? true
        }
        if !found {
            rows = try await fetch(filter.isEmpty ? .newestFirst : .amongNewest(window))
            if !filter.isEmpty, rows.count <= limit { rows = try await fetch(.matchesFirst) }
        }
        var result: [ContactListPage.Row] = []
        for row in rows.prefix(limit) {
            let waID = try row.decode(column: "wa_id", as: String?.self)
            let name =
                try row.decode(column: "name", as: String?.self)
                ?? Contact.displayName(
                    profileName: try row.decode(column: "profile_name", as: String?.self), waID: waID,
                    userID: try row.decode(column: "user_id", as: String?.self))
            result.append(
                .init(
                    id: try row.decode(column: "id", as: UUID.self), name: name, phone: waID.map { "+" + $0 },
                    email: try row.decode(column: "email", as: String?.self), tags: [],
                    marketing: MarketingStatus(rawValue: try row.decode(column: "marketing_status", as: String.self)) ?? .unknown,
                    lastInboundAt: try row.decode(column: "last_inbound_at", as: Date?.self),
                    createdAt: try row.decode(column: "created_at", as: Date.self)))
        }
        let tags = try await tagNames(of: result.map(\.id), in: scope)
        for index in result.indices { result[index].tags = tags[result[index].id] ?? [] }
        let next = rows.count > limit ? result.last.map { KeysetCursor(createdAt: $0.createdAt, id: $0.id) } : nil
        return (result, next)
    }

    /// The columns a list row shows.
    private static let shown = "id, name, profile_name, wa_id, user_id, email, marketing_status, last_inbound_at, created_at"

    /// A page's SQL: `condition` is the filter's (`ContactFilter.sqlCondition`) over `contacts`
    /// (also used by the query plan tests).
    static func query(
        _ condition: SQLQueryString, organization: UUID, after cursor: KeysetCursor?, limit: Int, plan: Plan = .newestFirst
    ) -> SQLQueryString {
        let after: SQLQueryString =
            cursor.map {
                "AND (contacts.created_at < \(bind: $0.createdAt) OR (contacts.created_at = \(bind: $0.createdAt) AND contacts.id < \(bind: $0.id)))"
            } ?? ""
        let order: SQLQueryString = "ORDER BY contacts.created_at DESC, contacts.id DESC"
        switch plan {
        case .newestFirst:
            return "SELECT \(unsafeRaw: shown) FROM contacts WHERE \(condition) \(after) \(order) LIMIT \(bind: limit)"
        case .amongNewest(let window):
            // A subquery with a LIMIT is neither flattened nor reordered by either database. It keeps
            // every column, so the filter's condition reads it as it reads the table.
            return """
                SELECT \(unsafeRaw: shown) FROM (
                  SELECT * FROM contacts
                  WHERE contacts.organization_id = \(bind: organization) AND contacts.erased_at IS NULL \(after)
                  \(order) LIMIT \(bind: window)
                ) AS contacts
                WHERE \(condition) \(order) LIMIT \(bind: limit)
                """
        case .matchesFirst:
            // MATERIALIZED keeps the planner from walking the newest-first index to meet the ORDER BY.
            return """
                WITH matches AS MATERIALIZED (SELECT \(unsafeRaw: shown) FROM contacts WHERE \(condition) \(after))
                SELECT \(unsafeRaw: shown) FROM matches AS contacts \(order) LIMIT \(bind: limit)
                """
        case .matchesUpTo(let cap):
            return """
                WITH matches AS MATERIALIZED (SELECT \(unsafeRaw: shown) FROM contacts WHERE \(condition) \(after) LIMIT \(bind: cap + 1))
                SELECT \(unsafeRaw: shown), (SELECT COUNT(*) FROM matches) AS found FROM matches AS contacts \(order) LIMIT \(bind: limit)
                """
        }
    }

    /// Tag names of contacts, sorted, by contact id.
    static func tagNames(of contactIDs: [UUID], in scope: TenantScope) async throws -> [UUID: [String]] {
        guard !contactIDs.isEmpty else { return [:] }
        let rows = try await scope.sql { organization in
            """
            SELECT contact_tags.contact_id, tags.name FROM contact_tags JOIN tags ON tags.id = contact_tags.tag_id
            WHERE contact_tags.organization_id = \(bind: organization) AND tags.organization_id = \(bind: organization)
              AND contact_tags.contact_id IN (\(SQLList(contactIDs.map { SQLBind($0) })))
            ORDER BY tags.name
            """
        }.all()
        var result: [UUID: [String]] = [:]
        for row in rows { result[try row.decode(column: "contact_id", as: UUID.self), default: []].append(try row.decode(column: "name", as: String.self)) }
        return result
    }
}

extension ContactListPage {
    static let pageSize = 50

    static func query(_ request: Request, _ tenant: Tenant) async throws -> Model {
        let t = request.localizer
        let scope = tenant.scope
        async let options = ContactFilterControls.Options.load(in: scope)
        var filter = ContactFilter()
        var error: String?
        var rows: [Row] = []
        var next: KeysetCursor?
        do {
            filter = try ContactFilter(query: request.query)
            let cursor = try request.query[String.self, at: "cursor"].map { text -> KeysetCursor in
                guard let cursor = try? KeysetCursor(decoding: text) else { throw Abort(.badRequest, reason: "cursor") }
                return cursor
            }
            (rows, next) = try await ContactList.page(filter, after: cursor, limit: pageSize, in: scope)
        } catch let abort as Abort where abort.status == .badRequest {
            error = t(.contactsFilterInvalid, ["reason": abort.reason])
        }
        let loaded = try await options
        func url(_ base: String, _ items: [URLQueryItem]) -> String {
            var components = URLComponents()
            components.queryItems = items
            return items.isEmpty ? base : base + "?" + (components.percentEncodedQuery ?? "")
        }
        return Model(
            rows: rows, filter: filter, tags: loaded.tags, numbers: loaded.numbers, fields: loaded.fields,
            canManage: tenant.role.can(.manageContacts),
            nextURL: next.map { url(SiteURL.contacts.path, filter.queryItems + [URLQueryItem(name: "cursor", value: $0.encoded)]) },
            exportURL: url(SiteURL.contactExport.path, filter.queryItems), error: error)
    }
}
