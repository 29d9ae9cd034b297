import Fluent
import Foundation
import SQLKit
import Vapor

/// Finding and making contacts, and reading their custom fields: the one place the contact list,
/// forms, the API, import and segments get them from.
enum ContactDirectory {
    /// The contact with this E.164 number, made (with a `created` history line) when there is none.
    /// Two requests making the same number at once get the same contact: the insert yields to the
    /// unique `(organization_id, wa_id)` index and both read the row that won.
    static func findOrCreate(
        phone e164: String, name: String?, actor: String?, at now: Date, in scope: TenantScope
    ) async throws -> (contact: Contact, created: Bool) {
        let waID = e164.hasPrefix("+") ? String(e164.dropFirst()) : e164
        if let found = try await find(waID: waID, in: scope) { return (found, false) }
        let newID = UUID()
        let cleanName = name?.trimmingCharacters(in: .whitespacesAndNewlines)
        try await scope.sql { organization in
            """
            INSERT INTO contacts (id, organization_id, wa_id, name, marketing_status, created_at, updated_at)
            VALUES (\(bind: newID), \(bind: organization), \(bind: waID), \(bind: cleanName?.isEmpty == false ? cleanName : nil),
                    \(bind: MarketingStatus.unknown.rawValue), \(bind: now), \(bind: now))
            ON CONFLICT (organization_id, wa_id) DO NOTHING
            """
        }.run()
        guard let contact = try await find(waID: waID, in: scope) else { throw Abort(.internalServerError, reason: "contact vanished") }
        let created = contact.id == newID
        if created { try await ContactHistory.record(.created, contactID: newID, actor: actor, at: now, in: scope) }
        return (contact, created)
    }

    /// The contact with this WhatsApp id (E.164 digits without "+") in the scope, if any.
    static func find(waID: String, in scope: TenantScope) async throws -> Contact? {
        try await scope.query(Contact.self).filter(\.$waID == waID).first()
    }

    /// Custom field values of contacts, by contact id then field id.
    static func fieldValues(of contactIDs: [UUID], in scope: TenantScope) async throws -> [UUID: [UUID: FieldValue]] {
        guard !contactIDs.isEmpty else { return [:] }
        var result: [UUID: [UUID: FieldValue]] = [:]
        for chunk in contactIDs.chunks(of: 500) {
            let rows = try await scope.query(ContactFieldValue.self).filter(\.$contactID ~~ Array(chunk)).all()
            for row in rows {
                if let value = row.value { result[row.contactID, default: [:]][row.fieldID] = value }
            }
        }
        return result
    }

    /// The organization's custom field definitions, sorted by position.
    static func fieldDefinitions(in scope: TenantScope) async throws -> [ContactFieldDefinition] {
        try await scope.query(ContactFieldDefinition.self).sort(\.$position).sort(\.$createdAt).all()
    }
}
