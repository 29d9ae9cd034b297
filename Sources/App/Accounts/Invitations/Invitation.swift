import ADSappCore
import Fluent
import Foundation

/// An invitation to join an organization with a role (and teams), sent to one email address.
/// Only the SHA-256 of the link's token is stored; resending replaces it, so an older link stops working.
final class Invitation: Model, TenantOwned, @unchecked Sendable {
    static let schema = "invitations"
    static var organizationIDKey: KeyPath<Invitation, FieldProperty<Invitation, UUID>> { \.$organizationID }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "email") var email: String
    @Enum(key: "role") var role: Role
    /// The teams the new member joins, as comma-separated ids (checked against the organization's teams when used).
    @Field(key: "team_ids") var teamIDsText: String
    @OptionalField(key: "invited_by_id") var invitedByID: UUID?
    /// The inviter's name when they invited: the email and the page show it even if they leave.
    @Field(key: "inviter_name") var inviterName: String
    /// The language the invitation email is written in (the inviter's choice).
    @Field(key: "language") var language: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(
        id: UUID = UUID(), organizationID: UUID, email: String, role: Role, teamIDs: [UUID], invitedByID: UUID?, inviterName: String,
        language: Language, tokenHash: String, createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.role = role
        self.teamIDsText = teamIDs.map(\.uuidString).joined(separator: ",")
        self.invitedByID = invitedByID
        self.inviterName = inviterName
        self.language = language.rawValue
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    var teamIDs: [UUID] { teamIDsText.split(separator: ",").compactMap { UUID(uuidString: String($0)) } }
    var emailLanguage: Language { Language(rawValue: language) ?? .default }

    /// Neither accepted nor revoked (it may still have expired).
    var isOpen: Bool { acceptedAt == nil && revokedAt == nil }

    func isUsable(at now: Date) -> Bool { isOpen && expiresAt > now }
}
