import Foundation

/// `message_template_status_update`: a template was approved, rejected, paused, disabled, …
public struct TemplateStatusUpdate: Decodable, Sendable, Equatable {
    /// `APPROVED`, `REJECTED`, `PENDING`, `PAUSED`, `DISABLED`, `FLAGGED`, `IN_APPEAL`, `PENDING_DELETION`, … kept as sent.
    public var event: String
    public var templateID: String
    public var templateName: String
    public var language: String
    /// Rejection or pause reason (`NONE` when there is none).
    public var reason: String?
    public var category: String?
    public var otherInfo: JSONValue?

    enum CodingKeys: String, CodingKey {
        case event, reason
        case category = "message_template_category"
        case templateID = "message_template_id"
        case templateName = "message_template_name"
        case language = "message_template_language"
        case otherInfo = "other_info"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        event = try container.decode(String.self, forKey: .event)
        templateID = try container.decodeLenientString(forKey: .templateID)
        templateName = try container.decode(String.self, forKey: .templateName)
        language = try container.decodeIfPresent(String.self, forKey: .language) ?? ""
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        category = try container.decodeIfPresent(String.self, forKey: .category)
        otherInfo = try container.decodeIfPresent(JSONValue.self, forKey: .otherInfo)
    }
}

/// `message_template_quality_update`: a template's quality score changed (GREEN, YELLOW, RED, UNKNOWN).
public struct TemplateQualityUpdate: Decodable, Sendable, Equatable {
    public var previousQualityScore: String?
    public var newQualityScore: String
    public var templateID: String
    public var templateName: String
    public var language: String

    enum CodingKeys: String, CodingKey {
        case previousQualityScore = "previous_quality_score"
        case newQualityScore = "new_quality_score"
        case templateID = "message_template_id"
        case templateName = "message_template_name"
        case language = "message_template_language"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        previousQualityScore = try container.decodeIfPresent(String.self, forKey: .previousQualityScore)
        newQualityScore = try container.decode(String.self, forKey: .newQualityScore)
        templateID = try container.decodeLenientString(forKey: .templateID)
        templateName = try container.decode(String.self, forKey: .templateName)
        language = try container.decodeIfPresent(String.self, forKey: .language) ?? ""
    }
}

/// `template_category_update`: Meta re-categorized a template (or will).
public struct TemplateCategoryUpdate: Decodable, Sendable, Equatable {
    public var templateID: String
    public var templateName: String
    public var language: String
    public var previousCategory: String?
    public var newCategory: String?
    /// Sent instead of `new_category` when Meta announces the category it will apply.
    public var correctCategory: String?

    enum CodingKeys: String, CodingKey {
        case templateID = "message_template_id"
        case templateName = "message_template_name"
        case language = "message_template_language"
        case previousCategory = "previous_category"
        case newCategory = "new_category"
        case correctCategory = "correct_category"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        templateID = try container.decodeLenientString(forKey: .templateID)
        templateName = try container.decode(String.self, forKey: .templateName)
        language = try container.decodeIfPresent(String.self, forKey: .language) ?? ""
        previousCategory = try container.decodeIfPresent(String.self, forKey: .previousCategory)
        newCategory = try container.decodeIfPresent(String.self, forKey: .newCategory)
        correctCategory = try container.decodeIfPresent(String.self, forKey: .correctCategory)
    }
}

/// `phone_number_quality_update`: the number's quality or messaging limit changed.
public struct PhoneNumberQualityUpdate: Decodable, Sendable, Equatable {
    public var displayPhoneNumber: String
    /// `FLAGGED`, `UNFLAGGED`, `DOWNGRADE`, `UPGRADE`, `ONBOARDING`, … kept as sent.
    public var event: String
    /// e.g. `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`.
    public var currentLimit: String?
    public var oldLimit: String?
    public var maxDailyConversationsPerBusiness: String?

    enum CodingKeys: String, CodingKey {
        case event
        case displayPhoneNumber = "display_phone_number"
        case currentLimit = "current_limit"
        case oldLimit = "old_limit"
        case maxDailyConversationsPerBusiness = "max_daily_conversations_per_business"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayPhoneNumber = try container.decodeLenientString(forKey: .displayPhoneNumber)
        event = try container.decode(String.self, forKey: .event)
        currentLimit = try container.decodeLenientStringIfPresent(forKey: .currentLimit)
        oldLimit = try container.decodeLenientStringIfPresent(forKey: .oldLimit)
        maxDailyConversationsPerBusiness = try container.decodeLenientStringIfPresent(forKey: .maxDailyConversationsPerBusiness)
    }
}

/// One element of a `user_preferences` change: a user stopped or resumed marketing messages.
public struct UserPreference: Decodable, Sendable, Equatable {
    public var waID: String?
    public var userID: String?
    /// e.g. `marketing_messages`.
    public var category: String
    /// `stop` or `resume`.
    public var value: String
    public var detail: String?
    public var timestamp: Date?

    public var isOptOut: Bool { value == "stop" }

    enum CodingKeys: String, CodingKey {
        case category, value, detail, timestamp
        case waID = "wa_id"
        case userID = "user_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        waID = try container.decodeLenientStringIfPresent(forKey: .waID)
        userID = try container.decodeLenientStringIfPresent(forKey: .userID)
        category = try container.decode(String.self, forKey: .category)
        value = try container.decode(String.self, forKey: .value)
        detail = try container.decodeIfPresent(String.self, forKey: .detail)
        timestamp = try container.decodeUnixTimeIfPresent(forKey: .timestamp)
    }
}

struct UserPreferencesValue: Decodable {
    var preferences: [UserPreference]

    enum CodingKeys: String, CodingKey {
        case preferences = "user_preferences"
    }
}
