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

    /// The organization's row, or the defaults (not saved) when it has none.
    static func of(_ scope: TenantScope, now: Date) async throws -> OrganizationAISettings {
        try await scope.query(OrganizationAISettings.self).first() ?? OrganizationAISettings(organizationID: scope.organizationID, now: now)
    }
}
