import ADSappCore
import Fluent
import Foundation

/// What happened to a contact, for its history on the contact page and in its privacy export.
enum ContactEventKind: String, Codable, Sendable, CaseIterable {
    case created
    case updated
    case optedIn = "opted_in"
    case optedOut = "opted_out"
    case consentCleared = "consent_cleared"
    case imported
    case merged
    case tagged
    case untagged
    case fieldChanged = "field_changed"
    case exported
    case erased
}

/// One line of a contact's history. `detail` is data for the line (a consent source, a field key,
/// a tag name, the number of a merged contact), shown escaped next to the kind's localized text.
final class ContactEvent: Model, TenantOwned, @unchecked Sendable {
    static let schema = "contact_events"
    static var organizationIDKey: KeyPath<ContactEvent, FieldProperty<ContactEvent, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "contact_id") var contactID: UUID
    @Field(key: "kind") var kind: ContactEventKind
    @OptionalField(key: "detail") var detail: String?
    /// Who did it: a member's name, or `nil` for the customer or the system.
    @OptionalField(key: "actor") var actor: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(organizationID: UUID, contactID: UUID, kind: ContactEventKind, detail: String?, actor: String?, createdAt: Date) {
        self.id = TimeOrderedID.next()
        self.organizationID = organizationID
        self.contactID = contactID
        self.kind = kind
        self.detail = detail.map { String($0.prefix(500)) }
        self.actor = actor
        self.createdAt = createdAt
    }
}

/// Writes history lines; every feature that changes a contact records what it did here.
enum ContactHistory {
    static func record(
        _ kind: ContactEventKind, contactID: UUID, detail: String? = nil, actor: String?, at now: Date, in scope: TenantScope
    ) async throws {
        try await ContactEvent(organizationID: scope.organizationID, contactID: contactID, kind: kind, detail: detail, actor: actor, createdAt: now)
            .create(on: scope.database)
    }

    /// The same line for several contacts at once (one insert), in the order given.
    static func record(
        _ kind: ContactEventKind, contactIDs: [UUID], detail: String? = nil, actor: String?, at now: Date, in scope: TenantScope
    ) async throws {
        guard !contactIDs.isEmpty else { return }
        try await contactIDs.map {
            ContactEvent(organizationID: scope.organizationID, contactID: $0, kind: kind, detail: detail, actor: actor, createdAt: now)
        }.create(on: scope.database)
    }

    /// The contact's history, newest first.
    static func lines(of contactID: UUID, limit: Int = 200, in scope: TenantScope) async throws -> [ContactEvent] {
        try await scope.query(ContactEvent.self).filter(\.$contactID == contactID)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all()
    }
}
