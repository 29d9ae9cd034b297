import Fluent
import Foundation

/// What an organization's admins chose for AI assistance: which features are on, the model (the
/// platform's default when none), a monthly budget below the platform's, and the knowledge notes
/// drafts may draw on. An organization without a row has the defaults (`OrganizationAISettings.defaults`).
final class OrganizationAISettings: Model, TenantOwned, @unchecked Sendable {
    static let schema = "organization_ai_settings"
    static var organizationIDKey: KeyPath<OrganizationAISettings, FieldProperty<OrganizationAISettings, UUID>> { \.$organizationID }

    /// The features a member asks for (a draft, a summary) are on until an admin turns them off.
    static let defaultFeatures: Set<AIFeature> = [.draft, .summary]
    static let maxKnowledgeLength = 8_000
    /// At most this many categories, each a tag name (`InboxSettings.maxNameLength`).
    static let maxCategories = 20

    @ID(key: .id) var id: UUID?
    @Field(key: "organization_id") var organizationID: UUID
    /// Comma-separated `AIFeature` raw values.
    @Field(key: "enabled_features") var enabledFeatureList: String
    @OptionalField(key: "model") var model: String?
    @OptionalField(key: "monthly_budget") var monthlyBudget: Double?
    @Field(key: "knowledge") var knowledge: String
    /// The categories conversations are sorted into, one a line; each becomes a tag when used.
    @OptionalField(key: "categories") var categoryList: String?
    /// The organization's own provider key, sealed (`CredentialVault`, `.aiProviderKey`); nil: the server's.
    @OptionalField(key: "api_key_sealed") var apiKeySealed: Data?
    /// Automatic answers' guardrails: when they may go out (`AutoAnswerWhen`), against which hours
    /// (`BusinessHours`' text), the words that hand a conversation to a person (one a line), the
    /// confidence an answer needs, and the most a conversation gets. Nil: the defaults below.
    @OptionalField(key: "auto_answer_when") var autoAnswerWhenValue: String?
    @OptionalField(key: "business_hours") var businessHoursText: String?
    @OptionalField(key: "handoff_keywords") var handoffKeywordList: String?
    @OptionalField(key: "auto_answer_confidence") var autoAnswerConfidenceValue: Double?
    @OptionalField(key: "auto_answer_limit") var autoAnswerLimitValue: Int?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(organizationID: UUID, now: Date) {
        self.id = UUID()
        self.organizationID = organizationID
        self.enabledFeatures = Self.defaultFeatures
        self.knowledge = ""
        self.updatedAt = now
    }

    var enabledFeatures: Set<AIFeature> {
        get { Set(enabledFeatureList.split(separator: ",").compactMap { AIFeature(rawValue: String($0)) }) }
        set { enabledFeatureList = AIFeature.allCases.filter(newValue.contains).map(\.rawValue).joined(separator: ",") }
    }

    var categories: [String] {
        get { (categoryList ?? "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        set { categoryList = newValue.isEmpty ? nil : newValue.joined(separator: "\n") }
    }

    var autoAnswerWhen: AutoAnswerWhen {
        get { autoAnswerWhenValue.flatMap(AutoAnswerWhen.init(rawValue:)) ?? .always }
        set { autoAnswerWhenValue = newValue.rawValue }
    }

    var businessHours: BusinessHours {
        get { BusinessHours(text: businessHoursText) }
        set { businessHoursText = newValue.text }
    }

    var handoffKeywords: [String] {
        get { (handoffKeywordList ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        set { handoffKeywordList = newValue.isEmpty ? nil : newValue.joined(separator: "\n") }
    }

    /// Below this an answer goes to a person instead (0.7 unless chosen).
    var autoAnswerConfidence: Double { autoAnswerConfidenceValue ?? Self.defaultAutoAnswerConfidence }
    /// After this many automatic answers a conversation goes to a person (3 unless chosen).
    var autoAnswerLimit: Int { autoAnswerLimitValue ?? Self.defaultAutoAnswerLimit }

    static let defaultAutoAnswerConfidence = 0.7
    static let defaultAutoAnswerLimit = 3
    static let maxAutoAnswerLimit = 20
    static let maxHandoffKeywords = 50

    /// The organization's row, or the defaults (not saved) when it has none.
    static func of(_ scope: TenantScope, now: Date) async throws -> OrganizationAISettings {
        try await scope.query(OrganizationAISettings.self).first() ?? OrganizationAISettings(organizationID: scope.organizationID, now: now)
    }
}
