import Fluent
import Foundation

/// A tenant: one business with its members, numbers, contacts and conversations.
final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    /// Whether agents see every conversation, or only those of their teams and those assigned to them.
    @Field(key: "agents_see_all") var agentsSeeAll: Bool
    /// Since when everyone must sign in with two factors (`TwoFactorController.saveSecurity`); `nil`: not required.
    @OptionalField(key: "two_factor_required_at") var twoFactorRequiredAt: Date?
    /// ISO 3166 alpha-2 country of phone numbers typed without a country code ("NL").
    @Field(key: "default_country") var defaultCountry: String
    /// Inbound words that opt a contact out of (or back into) marketing, comma separated;
    /// `nil`: the defaults (`MarketingKeywords`).
    @OptionalField(key: "opt_out_keywords") var optOutKeywords: String?
    @OptionalField(key: "opt_in_keywords") var optInKeywords: String?
    /// The IANA time zone campaigns are scheduled in ("Europe/Amsterdam").
    @Field(key: "time_zone") var timeZone: String
    /// What the organization's plan allows; `nil`: no limit. Billing sets them from the plan.
    @OptionalField(key: "plan_contact_limit") var planContactLimit: Int?
    @OptionalField(key: "plan_monthly_messages") var planMonthlyMessages: Int?

    init() {}

    init(id: UUID = UUID(), name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.agentsSeeAll = true
        self.defaultCountry = "NL"
        self.timeZone = "Europe/Amsterdam"
    }
}

/// Every signed-in request reads this model (`ModelRows`).
extension Organization: ListsDatabaseFields {
    var databaseFields: [any AnyDatabaseProperty] {
        [
            $id, $name, $createdAt, $agentsSeeAll, $twoFactorRequiredAt, $defaultCountry, $optOutKeywords, $optInKeywords, $timeZone, $planContactLimit,
            $planMonthlyMessages,
        ]
    }
}
