import Fluent
import Foundation

/// A WhatsApp Business number an organization has connected. Credentials are sealed with the
/// organization's data key (`CredentialVault`); they are never stored or logged in the clear.
final class WhatsAppConnection: Model, TenantOwned, @unchecked Sendable {
    static let schema = "whatsapp_connections"
    static var organizationIDKey: KeyPath<WhatsAppConnection, FieldProperty<WhatsAppConnection, UUID>> { \.$organizationID }

    enum State: String, Codable, Sendable {
        case active
        /// Meta refused the access token (error 190): nothing is sent until an admin saves a new one.
        case broken
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    @Field(key: "phone_number_id") var phoneNumberID: String
    @Field(key: "business_account_id") var businessAccountID: String
    @Field(key: "display_phone_number") var displayPhoneNumber: String
    @OptionalField(key: "verified_name") var verifiedName: String?
    @OptionalField(key: "quality_rating") var qualityRating: String?
    @Field(key: "access_token_sealed") var accessTokenSealed: Data
    @OptionalField(key: "app_secret_sealed") var appSecretSealed: Data?
    @OptionalField(key: "verify_token_sealed") var verifyTokenSealed: Data?
    @Field(key: "sends_per_second") var sendsPerSecond: Int
    /// Meta's messaging limit: how many different customers the business may start conversations
    /// with in a moving 24 hours (250, 2,000, 10,000, 100,000); `nil`: unlimited.
    @OptionalField(key: "messaging_limit") var messagingLimit: Int?
    /// The business portfolio that owns the account, as Meta told at connect: its numbers share the
    /// messaging limit. Nil when Meta did not say (the account's numbers then count alone).
    @OptionalField(key: "business_portfolio_id") var businessPortfolioID: String?
    @Enum(key: "state") var state: State
    @OptionalField(key: "state_detail") var stateDetail: String?
    @OptionalField(key: "checked_at") var checkedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    /// The team new conversations on this number belong to.
    @OptionalParent(key: "team_id") var team: Team?

    init() {}
}
