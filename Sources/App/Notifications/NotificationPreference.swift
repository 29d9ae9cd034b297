import Fluent
import Foundation

/// The events a member can be told about by email.
enum NotificationKind: String, Codable, Sendable, CaseIterable {
    /// Someone named them with `@` in a note. Default on.
    case mention
    /// A conversation was given to them, by someone else or by automatic assignment. Default on.
    case assignment
    /// Once a day, the conversations waiting for an answer that they can see. Default off.
    case digest
}

/// One member's email notification choices in one organization. No row: the defaults.
final class NotificationPreference: Model, TenantOwned, @unchecked Sendable {
    static let schema = "notification_preferences"
    static var organizationIDKey: KeyPath<NotificationPreference, FieldProperty<NotificationPreference, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "membership_id") var membershipID: UUID
    @Field(key: "mention") var mention: Bool
    @Field(key: "assignment") var assignment: Bool
    @Field(key: "daily_digest") var dailyDigest: Bool
    /// When the last digest was queued: a rerun of the day's digest job skips the member.
    @OptionalField(key: "last_digest_at") var lastDigestAt: Date?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(organizationID: UUID, membershipID: UUID, now: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.membershipID = membershipID
        self.mention = true
        self.assignment = true
        self.dailyDigest = false
        self.updatedAt = now
    }

    func wants(_ kind: NotificationKind) -> Bool {
        switch kind {
        case .mention: mention
        case .assignment: assignment
        case .digest: dailyDigest
        }
    }

    func set(_ kind: NotificationKind, _ isOn: Bool) {
        switch kind {
        case .mention: mention = isOn
        case .assignment: assignment = isOn
        case .digest: dailyDigest = isOn
        }
    }

    /// The member's choices, or the defaults (not saved).
    static func of(membershipID: UUID, in scope: TenantScope, now: Date) async throws -> NotificationPreference {
        try await scope.query(NotificationPreference.self).filter(\.$membershipID == membershipID).first()
            ?? NotificationPreference(organizationID: scope.organizationID, membershipID: membershipID, now: now)
    }

    /// Changes the member's choices and saves them. Two first saves at once (a double click, two
    /// tabs, an unsubscribe link) both land: when the other request wrote the row first, the
    /// unique index refuses the second insert and the change is made to that row instead.
    static func change(
        membershipID: UUID, in scope: TenantScope, now: Date, _ change: (NotificationPreference) async throws -> Void
    ) async throws {
        let preference = try await of(membershipID: membershipID, in: scope, now: now)
        try await change(preference)
        preference.updatedAt = now
        do {
            try await preference.save(on: scope.database)
        } catch  where (error as? any DatabaseError)?.isConstraintFailure == true && !preference.$id.exists {
            guard let saved = try await scope.query(NotificationPreference.self).filter(\.$membershipID == membershipID).first() else { throw error }
            try await change(saved)
            saved.updatedAt = now
            try await saved.save(on: scope.database)
        }
    }
}

/// One emailed unsubscribe link: its token (hashed) turns one kind off for one member.
final class NotificationUnsubscribe: Model, TenantOwned, @unchecked Sendable {
    static let schema = "notification_unsubscribes"
    static var organizationIDKey: KeyPath<NotificationUnsubscribe, FieldProperty<NotificationUnsubscribe, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    /// SHA-256 of the token: a leaked row cannot unsubscribe anyone.
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "membership_id") var membershipID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// How long an emailed link keeps working.
    static let lifetime: TimeInterval = 180 * 86_400
}
