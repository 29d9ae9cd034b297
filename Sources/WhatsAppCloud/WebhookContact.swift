import Foundation

/// A sender's profile from `value.contacts[]`: `{"profile":{"name":..},"wa_id":..,"user_id":..}`.
/// `user_id` is the business-scoped user id; a contact may arrive with it and without `wa_id`.
public struct WebhookContact: Decodable, Sendable, Equatable {
    public var name: String?
    public var waID: String?
    public var userID: String?

    public init(name: String?, waID: String?, userID: String?) {
        self.name = name
        self.waID = waID
        self.userID = userID
    }

    enum CodingKeys: String, CodingKey {
        case profile
        case waID = "wa_id"
        case userID = "user_id"
    }

    enum ProfileKeys: String, CodingKey { case name }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        waID = try container.decodeLenientStringIfPresent(forKey: .waID)
        userID = try container.decodeLenientStringIfPresent(forKey: .userID)
        if container.contains(.profile), let profile = try? container.nestedContainer(keyedBy: ProfileKeys.self, forKey: .profile) {
            name = try profile.decodeIfPresent(String.self, forKey: .name)
        }
    }
}
