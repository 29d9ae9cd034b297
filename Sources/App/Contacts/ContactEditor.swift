import ADSappCore
import Fluent
import Foundation
import Vapor

/// Creating and changing a contact's profile (name, number, email, custom fields) from the form
/// and the API: the checks and the history lines live here, once.
struct ContactEditor {
    let scope: TenantScope
    let defaultCountry: String
    let actor: String?
    let now: Date
    /// The plan's contact limit for a new contact; `nil`: none (imports check theirs per batch).
    var billing: BillingAccess? = nil

    static let maxNameLength = 200
    static let maxEmailLength = 254

    struct Input: Sendable {
        var name: String?
        var phone: String?
        var email: String?
        /// Field id → typed text; only the fields present change (empty text clears).
        var fields: [UUID: String] = [:]
    }

    enum Refusal: Error, Equatable {
        case phone(String)
        case phoneRequired
        case duplicate(UUID)
        case nameTooLong
        case email
        case field(FieldValueError)
        case planLimit(BillingRefusal)
    }

    /// Checks everything before writing anything; returns the saved contact.
    func save(_ input: Input, to existing: Contact?) async throws -> Contact {
        if existing == nil, let billing {
            do {
                let live = try await scope.query(Contact.self).filter(\.$erasedAt == nil).count()
                try await billing.require(.contacts, used: live, for: scope.organizationID, on: scope.database)
            } catch let refusal as BillingRefusal {
                throw Refusal.planLimit(refusal)
            }
        }
        let definitions = try await ContactDirectory.fieldDefinitions(in: scope)
        var waID = existing?.waID
        if let phone = input.phone?.trimmingCharacters(in: .whitespacesAndNewlines) {
            if phone.isEmpty {
                if existing == nil || existing?.waID != nil { throw Refusal.phoneRequired }
            } else {
                do {
                    waID = String(try PhoneNumber.e164(phone, defaultCountry: defaultCountry).dropFirst())
                } catch {
                    throw Refusal.phone(error.description)
                }
            }
        }
        guard let waID else { throw Refusal.phoneRequired }
        if waID != existing?.waID, let other = try await ContactDirectory.find(waID: waID, in: scope) {
            throw Refusal.duplicate(try other.requireID())
        }
        let name = input.name.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let name, name.count > Self.maxNameLength { throw Refusal.nameTooLong }
        let email = input.email.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let email, !email.isEmpty, !Self.looksLikeEmail(email) { throw Refusal.email }
        var values: [(ContactFieldDefinition, FieldValue?)] = []
        for definition in definitions {
            guard let text = input.fields[try definition.requireID()] else { continue }
            do {
                values.append((definition, try definition.parse(text)))
            } catch {
                throw Refusal.field(error)
            }
        }

        let contact = existing ?? Contact(organizationID: scope.organizationID, waID: waID, now: now)
        var changes: [String] = []
        if contact.waID != waID { changes.append("phone") }
        contact.waID = waID
        if let name, (name.isEmpty ? nil : name) != contact.name {
            contact.name = name.isEmpty ? nil : name
            changes.append("name")
        }
        if let email, (email.isEmpty ? nil : email) != contact.email {
            contact.email = email.isEmpty ? nil : email
            changes.append("email")
        }
        contact.updatedAt = now
        let actor = actor
        let now = now
        let isNew = existing == nil
        let changed = changes
        let newValues = values
        return try await scope.transaction { scope in
            do {
                try await contact.save(on: scope.database)
            } catch {
                guard (error as? any DatabaseError)?.isConstraintFailure == true,
                    let other = try await ContactDirectory.find(waID: waID, in: scope)
                else { throw error }
                throw Refusal.duplicate(try other.requireID())
            }
            let contactID = try contact.requireID()
            if isNew {
                try await ContactHistory.record(.created, contactID: contactID, actor: actor, at: now, in: scope)
            } else if !changed.isEmpty {
                try await ContactHistory.record(.updated, contactID: contactID, detail: changed.joined(separator: ", "), actor: actor, at: now, in: scope)
            }
            let current = try await scope.query(ContactFieldValue.self).filter(\.$contactID == contactID).all()
            for (definition, value) in newValues {
                let fieldID = try definition.requireID()
                let row = current.first { $0.fieldID == fieldID }
                guard row?.value != value else { continue }
                if let value {
                    if let row {
                        row.value = value
                        try await row.save(on: scope.database)
                    } else {
                        try await ContactFieldValue(organizationID: scope.organizationID, contactID: contactID, fieldID: fieldID, value: value)
                            .create(on: scope.database)
                    }
                } else if let row {
                    try await row.delete(on: scope.database)
                }
                if !isNew {
                    try await ContactHistory.record(.fieldChanged, contactID: contactID, detail: definition.key, actor: actor, at: now, in: scope)
                }
            }
            return contact
        }
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        guard text.count <= maxEmailLength, !text.contains(where: \.isWhitespace) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    // MARK: - Tags, notes, delete

    /// Adds or removes one of the organization's tags; `false` when nothing changed.
    static func setTag(_ tagID: UUID, on contactID: UUID, present: Bool, actor: String?, at now: Date, in scope: TenantScope) async throws -> Bool {
        guard let tag = try await scope.find(Tag.self, tagID) else { throw Abort(.notFound) }
        let existing = try await scope.query(ContactTag.self).filter(\.$contactID == contactID).filter(\.$tagID == tagID).first()
        if present {
            guard existing == nil else { return false }
            try await ContactTag(organizationID: scope.organizationID, contactID: contactID, tagID: tagID, createdAt: now).create(on: scope.database)
            try await ContactHistory.record(.tagged, contactID: contactID, detail: tag.name, actor: actor, at: now, in: scope)
        } else {
            guard let existing else { return false }
            try await existing.delete(on: scope.database)
            try await ContactHistory.record(.untagged, contactID: contactID, detail: tag.name, actor: actor, at: now, in: scope)
        }
        return true
    }

    static let maxNoteLength = 5000

    static func addNote(_ body: String, to contactID: UUID, author: User, at now: Date, in scope: TenantScope) async throws -> ContactNote {
        let note = ContactNote()
        note.id = UUID()
        note.organizationID = scope.organizationID
        note.contactID = contactID
        note.authorID = author.id
        note.authorName = author.name
        note.body = body
        note.createdAt = now
        try await note.create(on: scope.database)
        return note
    }
}
