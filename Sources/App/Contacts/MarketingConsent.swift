import Fluent
import Foundation
import SQLKit

/// Whether a contact agreed to marketing messages (templates of the MARKETING category, campaigns).
/// Service conversations the customer starts are never blocked by it.
enum MarketingStatus: String, Codable, Sendable, CaseIterable {
    /// Never asked or never said: campaigns may not reach them until they opt in.
    case unknown
    case optedIn = "opted_in"
    case optedOut = "opted_out"
}

/// What changed a contact's consent last.
enum ConsentSource: String, Codable, Sendable, CaseIterable {
    /// The customer sent an opt-out or opt-in word (`MarketingKeywords`).
    case keyword
    /// Meta's `user_preferences` webhook: the customer stopped or resumed marketing in WhatsApp itself.
    case whatsAppPreferences = "whatsapp_preferences"
    /// The opt-in column of a CSV import.
    case `import`
    /// A member changed it on the contact's page.
    case agent
    /// An API client.
    case api
}

/// The one place a contact's marketing consent changes: the contact's columns and a history line
/// change together, in the caller's transaction.
enum MarketingConsent {
    /// Sets the status when it differs from the current one. Returns whether it changed.
    @discardableResult
    static func change(
        _ contactID: UUID, to status: MarketingStatus, source: ConsentSource, actor: String?, at now: Date, in scope: TenantScope
    ) async throws -> Bool {
        try await change([contactID], to: status, source: source, actor: actor, at: now, in: scope).contains(contactID)
    }

    /// The same change for many different contacts at once (a batch of an import): one update and
    /// one insert of history lines. Returns the contacts whose status changed.
    static func change(
        _ contactIDs: [UUID], to status: MarketingStatus, source: ConsentSource, actor: String?, at now: Date, in scope: TenantScope
    ) async throws -> Set<UUID> {
        guard !contactIDs.isEmpty else { return [] }
        let rows = try await scope.sql { organization in
            """
            UPDATE contacts SET marketing_status = \(bind: status.rawValue), marketing_source = \(bind: source.rawValue),
              marketing_changed_at = \(bind: now), updated_at = \(bind: now)
            WHERE organization_id = \(bind: organization) AND id IN (\(SQLList(contactIDs.map { SQLBind($0) })))
              AND marketing_status <> \(bind: status.rawValue) AND erased_at IS NULL
            RETURNING id
            """
        }.all()
        let changed = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        guard !changed.isEmpty else { return [] }
        let kind: ContactEventKind = status == .optedOut ? .optedOut : status == .optedIn ? .optedIn : .consentCleared
        let changedIDs = Set(changed)
        // In the order given, so the history reads as the input did.
        try await ContactHistory.record(
            kind, contactIDs: contactIDs.filter(changedIDs.contains), detail: source.rawValue, actor: actor, at: now, in: scope)
        return changedIDs
    }
}
