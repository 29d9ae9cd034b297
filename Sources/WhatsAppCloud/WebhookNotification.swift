import Foundation

/// One webhook POST: `{"object":"whatsapp_business_account","entry":[{"id":WABA_ID,"changes":[{"field":..,"value":{..}}]}]}`.
/// Iterate every entry and every change: one POST can carry several.
public struct WebhookNotification: Decodable, Sendable {
    public var object: String
    public var entries: [Entry]

    public struct Entry: Decodable, Sendable {
        /// The WhatsApp Business Account id.
        public var id: String
        public var time: Date?
        public var changes: [Change]

        enum CodingKeys: String, CodingKey { case id, time, changes }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeLenientString(forKey: .id)
            time = try? container.decodeUnixTimeIfPresent(forKey: .time)
            if container.contains(.changes), try !container.decodeNil(forKey: .changes) {
                var list = try container.nestedUnkeyedContainer(forKey: .changes)
                changes = try decodeEachElement(&list) { raw, _ in
                    Change(field: raw["field"]?.stringValue ?? "", value: .other(field: raw["field"]?.stringValue ?? "", value: raw["value"] ?? raw))
                }
            } else {
                changes = []
            }
        }
    }

    public struct Change: Decodable, Sendable {
        public var field: String
        public var value: ChangeValue

        public init(field: String, value: ChangeValue) {
            self.field = field
            self.value = value
        }

        enum CodingKeys: String, CodingKey { case field, value }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            field = try container.decode(String.self, forKey: .field)
            // The value as raw JSON, decoded only when it is kept (decoding it for every change cost
            // a tenth of the webhook worker's time).
            func raw() throws -> JSONValue { try container.decodeIfPresent(JSONValue.self, forKey: .value) ?? .null }
            // A known field whose value does not decode is kept as `.other` with its raw JSON.
            do {
                switch field {
                case "messages": value = .messages(try container.decode(MessagesValue.self, forKey: .value))
                case "message_template_status_update": value = .templateStatus(try container.decode(TemplateStatusUpdate.self, forKey: .value))
                case "message_template_quality_update": value = .templateQuality(try container.decode(TemplateQualityUpdate.self, forKey: .value))
                case "template_category_update": value = .templateCategory(try container.decode(TemplateCategoryUpdate.self, forKey: .value))
                case "phone_number_quality_update": value = .phoneNumberQuality(try container.decode(PhoneNumberQualityUpdate.self, forKey: .value))
                case "user_preferences": value = .userPreferences(try container.decode(UserPreferencesValue.self, forKey: .value).preferences)
                default: value = .other(field: field, value: try raw())
                }
            } catch {
                value = .other(field: field, value: try raw())
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case object, entry
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decode(String.self, forKey: .object)
        entries = try container.decodeArrayIfPresent([Entry].self, forKey: .entry)
    }

    /// Decodes a raw webhook body.
    public static func decode(_ body: Data) throws -> WebhookNotification {
        try JSONDecoder().decode(WebhookNotification.self, from: body)
    }
}

public enum ChangeValue: Sendable {
    /// `messages`: inbound messages, statuses of sent messages, errors.
    case messages(MessagesValue)
    /// `message_template_status_update`
    case templateStatus(TemplateStatusUpdate)
    /// `message_template_quality_update`
    case templateQuality(TemplateQualityUpdate)
    /// `template_category_update`
    case templateCategory(TemplateCategoryUpdate)
    /// `phone_number_quality_update`
    case phoneNumberQuality(PhoneNumberQualityUpdate)
    /// `user_preferences`: marketing opt-out / opt-in.
    case userPreferences([UserPreference])
    /// `account_update`, `account_alerts`, `business_capability_update`, anything unknown, or a known
    /// field whose value did not decode.
    case other(field: String, value: JSONValue)
}
