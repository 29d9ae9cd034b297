import Fluent
import Foundation
import SQLKit
import Vapor

/// The contact list's query, shared by the page and `/api/v1/contacts`: `ContactFilter` plus a
/// keyset on `(created_at, id)` descending, which the `contacts_organization_created` index serves.
enum ContactList {
    static func page(
        _ filter: ContactFilter, after cursor: KeysetCursor?, limit: Int, in scope: TenantScope
    ) async throws -> (rows: [ContactListPage.Row], next: KeysetCursor?) {
        let definitions = filter.fields.isEmpty ? [] : try await ContactDirectory.fieldDefinitions(in: scope)
        let condition = try filter.sqlCondition(organization: scope.organizationID, fields: definitions)
        let rows = try await scope.sql(query(condition, after: cursor, limit: limit + 1)).all()
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

    /// The page's SQL (also used by the query plan tests).
    static func query(_ condition: SQLQueryString, after cursor: KeysetCursor?, limit: Int) -> SQLQueryString {
        let after: SQLQueryString =
            cursor.map {
                "AND (contacts.created_at < \(bind: $0.createdAt) OR (contacts.created_at = \(bind: $0.createdAt) AND contacts.id < \(bind: $0.id)))"
            } ?? ""
        return """
            SELECT id, name, profile_name, wa_id, user_id, email, marketing_status, last_inbound_at, created_at FROM contacts
            WHERE \(condition) \(after)
            ORDER BY contacts.created_at DESC, contacts.id DESC LIMIT \(bind: limit)
            """
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
        let tags = try await scope.query(Tag.self).sort(\.$name).all().map { Option(value: $0.id!.uuidString, label: $0.name) }
        let numbers = try await scope.query(WhatsAppConnection.self).all().map { Option(value: $0.id!.uuidString, label: $0.displayPhoneNumber) }
        let fields = try await ContactDirectory.fieldDefinitions(in: scope).map { Option(value: $0.id!.uuidString, label: $0.label) }
        func url(_ base: String, _ items: [URLQueryItem]) -> String {
            var components = URLComponents()
            components.queryItems = items
            return items.isEmpty ? base : base + "?" + (components.percentEncodedQuery ?? "")
        }
        return Model(
            rows: rows, filter: filter, tags: tags, numbers: numbers, fields: fields,
            canManage: tenant.role.can(.manageContacts),
            nextURL: next.map { url(SiteURL.contacts.path, filter.queryItems + [URLQueryItem(name: "cursor", value: $0.encoded)]) },
            exportURL: url(SiteURL.contactExport.path, filter.queryItems), error: error)
    }
}
