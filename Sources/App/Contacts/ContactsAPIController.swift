import ADSappCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/contacts`: list (the page's filters), show, create, change, delete and merge.
enum ContactsAPIController {
    struct ContactBody: Content {
        var id: UUID
        var name: String?
        var display_name: String
        var profile_name: String?
        var phone: String?
        var email: String?
        var tags: [String]
        var fields: [String: String]
        var marketing_status: String
        var marketing_source: String?
        var marketing_changed_at: Date?
        var last_inbound_at: Date?
        var created_at: Date
        var updated_at: Date
    }

    struct ListBody: Content {
        var id: UUID
        var name: String
        var phone: String?
        var email: String?
        var tags: [String]
        var marketing_status: String
        var last_inbound_at: Date?
        var created_at: Date
    }

    struct Input: Content {
        var name: String?
        var phone: String?
        var email: String?
        /// Field key → value as text (`null` or "" clears).
        var fields: [String: String?]?
        /// Tag names; the contact ends up with exactly these.
        var tags: [String]?
        var marketing_status: String?
    }

    struct MergeInput: Content { var duplicateID: UUID? }

    static func list(_ request: Request, _ tenant: Tenant) async throws -> Page<ListBody> {
        let page = try request.pageRequest()
        let cursor = try page.cursor.map(KeysetCursor.init(decoding:))
        let (rows, next) = try await validating {
            try await ContactList.page(try ContactFilter(query: request.query), after: cursor, limit: page.limit, in: tenant.scope)
        }
        return Page(
            data: rows.map {
                ListBody(
                    id: $0.id, name: $0.name, phone: $0.phone, email: $0.email, tags: $0.tags, marketing_status: $0.marketing.rawValue,
                    last_inbound_at: $0.lastInboundAt, created_at: $0.createdAt)
            },
            next_cursor: next?.encoded)
    }

    static func show(_ request: Request, _ tenant: Tenant) async throws -> ContactBody {
        try await body(try await ContactsController.contact(request, tenant), tenant.scope)
    }

    static func create(_ request: Request, _ tenant: Tenant) async throws -> Response {
        let input = try decode(request)
        guard input.phone?.isEmpty == false else { throw APIError(.badRequest, code: "validation_failed", message: "phone is required.") }
        let contact = try await apply(input, to: nil, request, tenant)
        return try await body(contact, tenant.scope).encodeResponse(status: .created, for: request)
    }

    static func update(_ request: Request, _ tenant: Tenant) async throws -> ContactBody {
        let contact = try await ContactsController.contact(request, tenant)
        return try await body(try await apply(try decode(request), to: contact, request, tenant), tenant.scope)
    }

    static func delete(_ request: Request, _ tenant: Tenant) async throws -> HTTPStatus {
        try await ContactsController.contact(request, tenant).delete(on: tenant.scope.database)
        return .noContent
    }

    static func merge(_ request: Request, _ tenant: Tenant) async throws -> ContactBody {
        let contact = try await ContactsController.contact(request, tenant)
        let input: MergeInput
        do { input = try request.content.decode(MergeInput.self) } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "The body must be a JSON object with duplicateID.")
        }
        guard let duplicateID = input.duplicateID else { throw APIError(.badRequest, code: "validation_failed", message: "duplicateID is required.") }
        do {
            try await ContactMerge.merge(
                keep: try contact.requireID(), duplicate: duplicateID, actor: nil, at: request.now, in: tenant.scope,
                inboxWakeUp: request.application.backgroundJobs.inboxWakeUp)
        } catch let refusal as ContactMerge.Refusal {
            switch refusal {
            case .notFound: throw APIError(.notFound, code: "not_found", message: "No such contact.")
            case .sameContact: throw APIError(.unprocessableEntity, code: "same_contact", message: "A contact cannot be merged with itself.")
            }
        }
        return try await body(try await ContactsController.contact(request, tenant), tenant.scope)
    }

    // MARK: -

    private static func apply(_ input: Input, to existing: Contact?, _ request: Request, _ tenant: Tenant) async throws -> Contact {
        let scope = tenant.scope
        let definitions = try await ContactDirectory.fieldDefinitions(in: scope)
        var fields: [UUID: String] = [:]
        for (key, value) in input.fields ?? [:] {
            guard let definition = definitions.first(where: { $0.key == key }) else {
                throw APIError(.badRequest, code: "validation_failed", message: "Unknown field: \(key.prefix(60)).")
            }
            fields[definition.id!] = value ?? ""
        }
        var tagIDs: [UUID]?
        if let names = input.tags {
            let tags = try await scope.query(Tag.self).all()
            tagIDs = try names.map { name in
                guard let tag = tags.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                    throw APIError(.badRequest, code: "validation_failed", message: "Unknown tag: \(name.prefix(60)).")
                }
                return tag.id!
            }
        }
        var status: MarketingStatus?
        if let text = input.marketing_status {
            guard let parsed = MarketingStatus(rawValue: text) else {
                throw APIError(.badRequest, code: "validation_failed", message: "marketing_status must be one of unknown, opted_in, opted_out.")
            }
            status = parsed
        }
        let editor = ContactEditor(
            scope: scope, defaultCountry: tenant.organization.defaultCountry, actor: nil, now: request.now, billing: request.billingAccess)
        let contact: Contact
        do {
            contact = try await editor.save(.init(name: input.name, phone: input.phone, email: input.email, fields: fields), to: existing)
        } catch let refusal as ContactEditor.Refusal {
            switch refusal {
            case .duplicate(let id):
                throw APIError(.conflict, code: "duplicate_phone", message: "Contact \(id.uuidString) has this phone number.")
            case .planLimit(let billingRefusal):
                throw billingRefusal.apiError
            default:
                throw APIError(.badRequest, code: "validation_failed", message: ContactsController.message(refusal, englishLocalizer(request)))
            }
        }
        let contactID = try contact.requireID()
        if let tagIDs {
            let current = Set(try await scope.query(ContactTag.self).filter(\.$contactID == contactID).all().map(\.tagID))
            for tagID in Set(tagIDs).subtracting(current) {
                _ = try await ContactEditor.setTag(tagID, on: contactID, present: true, actor: nil, at: request.now, in: scope)
            }
            for tagID in current.subtracting(tagIDs) {
                _ = try await ContactEditor.setTag(tagID, on: contactID, present: false, actor: nil, at: request.now, in: scope)
            }
        }
        if let status {
            _ = try await MarketingConsent.change(contactID, to: status, source: .api, actor: nil, at: request.now, in: scope)
        }
        return try await scope.find(Contact.self, contactID) ?? contact
    }

    private static func englishLocalizer(_ request: Request) -> Localizer {
        Localizer(language: .en, catalog: request.localizer.catalog)
    }

    private static func body(_ contact: Contact, _ scope: TenantScope) async throws -> ContactBody {
        let id = try contact.requireID()
        let definitions = try await ContactDirectory.fieldDefinitions(in: scope)
        let values = try await ContactDirectory.fieldValues(of: [id], in: scope)[id] ?? [:]
        var fields: [String: String] = [:]
        for definition in definitions { if let value = values[definition.id!] { fields[definition.key] = value.text } }
        return ContactBody(
            id: id, name: contact.name, display_name: contact.displayName, profile_name: contact.profileName, phone: contact.phoneNumber,
            email: contact.email, tags: try await ContactList.tagNames(of: [id], in: scope)[id] ?? [], fields: fields,
            marketing_status: contact.marketingStatus.rawValue, marketing_source: contact.marketingSource?.rawValue,
            marketing_changed_at: contact.marketingChangedAt, last_inbound_at: contact.lastInboundAt, created_at: contact.createdAt,
            updated_at: contact.updatedAt)
    }

    private static func decode(_ request: Request) throws -> Input {
        do {
            return try request.content.decode(Input.self)
        } catch {
            throw APIError(
                .badRequest, code: "invalid_body", message: "The body must be a JSON object with name, phone, email, fields, tags and marketing_status.")
        }
    }

    private static func validating<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let abort as Abort where abort.status == .badRequest {
            throw APIError(.badRequest, code: "validation_failed", message: abort.reason)
        }
    }
}
