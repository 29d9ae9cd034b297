import Fluent
import Foundation
import SQLKit
import Vapor

/// The filtered contact list as CSV: streamed a page at a time, UTF-8 with a byte order mark (so
/// Excel reads it as UTF-8), custom fields as columns, and every cell that could start a formula
/// neutralized. The same columns import back unchanged.
enum ContactExportController {
    static let pageSize = 1000

    static func export(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let filter = try ContactFilter(query: request.query)
        let fields = try await tenant.scope.query(ContactFieldDefinition.self).sort(\.$position).all()
        let condition = try filter.sqlCondition(organization: tenant.organizationID, fields: fields)
        let scope = tenant.scope
        let header = ["name", "phone", "email", "tags", "opt_in"] + fields.map(\.key)
        let logger = request.logger
        let body = Response.Body(asyncStream: { writer in
            do {
                var head = ContactCSV.byteOrderMark
                head.append(try ContactCSV.line(header))
                try await writer.writeBuffer(ByteBuffer(data: head))
                var after: UUID?
                while true {
                    let page = try await rows(condition, after: after, scope: scope, fields: fields)
                    guard !page.isEmpty else { break }
                    var chunk = Data()
                    for row in page { chunk.append(try ContactCSV.line(row.cells, trusted: [1])) }
                    try await writer.writeBuffer(ByteBuffer(data: chunk))
                    after = page.last?.id
                    if page.count < pageSize { break }
                }
                try await writer.write(.end)
            } catch {
                logger.error("contact export failed midway", metadata: ["error": .string(String(describing: error))])
                try await writer.write(.error(error))
            }
        })
        return ContactImportController.csvResponse(body, filename: "contacts.csv")
    }

    struct Row {
        var id: UUID
        var cells: [String]
    }

    static func rows(_ condition: SQLQueryString, after: UUID?, scope: TenantScope, fields: [ContactFieldDefinition]) async throws -> [Row] {
        var query: SQLQueryString = "SELECT id, wa_id, name, email, marketing_status FROM contacts WHERE \(condition)"
        if let after { query = query + " AND contacts.id > \(bind: after)" }
        query = query + " ORDER BY contacts.id LIMIT \(unsafeRaw: String(pageSize))"
        let found = try await scope.sql(query).all()
        struct Contact: Decodable {
            var id: UUID
            var wa_id: String?
            var name: String?
            var email: String?
            var marketing_status: String
        }
        let contacts = try found.map { try $0.decode(model: Contact.self) }
        guard !contacts.isEmpty else { return [] }
        let ids = contacts.map(\.id)
        var values: [UUID: [UUID: FieldValue]] = [:]
        if !fields.isEmpty {
            for value in try await scope.query(ContactFieldValue.self).filter(\.$contactID ~~ ids).all() {
                values[value.contactID, default: [:]][value.fieldID] = value.value
            }
        }
        struct TagRow: Decodable {
            var contact_id: UUID
            var name: String
        }
        var tags: [UUID: [String]] = [:]
        let tagRows = try await scope.sql { organization in
            """
            SELECT contact_tags.contact_id, tags.name FROM contact_tags JOIN tags ON tags.id = contact_tags.tag_id
            WHERE contact_tags.organization_id = \(bind: organization) AND contact_tags.contact_id IN (\(binds: ids))
            ORDER BY tags.name
            """
        }.all(decoding: TagRow.self)
        for row in tagRows { tags[row.contact_id, default: []].append(row.name) }
        return contacts.map { contact in
            let optIn =
                switch MarketingStatus(rawValue: contact.marketing_status) {
                case .optedIn: "yes"
                case .optedOut: "no"
                default: ""
                }
            let base = [
                contact.name ?? "", contact.wa_id.map { "+" + $0 } ?? "", contact.email ?? "", (tags[contact.id] ?? []).joined(separator: ", "), optIn,
            ]
            return Row(id: contact.id, cells: base + fields.map { values[contact.id]?[$0.id!]?.text ?? "" })
        }
    }

    /// `GET /api/v1/contacts/export`: the same CSV for API clients.
    static func apiExport(_ request: Request, _ tenant: Tenant) async throws -> Response {
        do {
            return try await export(request, tenant)
        } catch let abort as Abort where abort.status == .badRequest {
            throw APIError(.badRequest, code: "invalid_filter", message: abort.reason)
        }
    }
}
