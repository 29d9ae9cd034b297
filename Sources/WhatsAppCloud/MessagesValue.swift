import Foundation

/// The value of a `messages` change.
public struct MessagesValue: Decodable, Sendable {
    public var messagingProduct: String?
    public var metadata: Metadata
    public var contacts: [WebhookContact]
    public var messages: [InboundMessage]
    public var statuses: [MessageStatus]
    public var errors: [GraphError]

    public struct Metadata: Decodable, Sendable, Equatable {
        public var displayPhoneNumber: String
        public var phoneNumberID: String

        public init(displayPhoneNumber: String, phoneNumberID: String) {
            self.displayPhoneNumber = displayPhoneNumber
            self.phoneNumberID = phoneNumberID
        }

        enum CodingKeys: String, CodingKey {
            case displayPhoneNumber = "display_phone_number"
            case phoneNumberID = "phone_number_id"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            displayPhoneNumber = try container.decodeLenientStringIfPresent(forKey: .displayPhoneNumber) ?? ""
            phoneNumberID = try container.decodeLenientString(forKey: .phoneNumberID)
        }
    }

    enum CodingKeys: String, CodingKey {
        case messagingProduct = "messaging_product"
        case metadata, contacts, messages, statuses, errors
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messagingProduct = try? container.decodeIfPresent(String.self, forKey: .messagingProduct)
        metadata = try container.decode(Metadata.self, forKey: .metadata)
        contacts = Self.eachElement(container, .contacts) { _, _ in nil }
        messages = Self.eachElement(container, .messages) { raw, error in InboundMessage(undecodable: raw, error: error) }
        statuses = Self.eachElement(container, .statuses) { raw, error in MessageStatus(undecodable: raw, error: error) }
        errors = Self.eachElement(container, .errors) { raw, _ in
            GraphError(code: 0, title: "undecodable error object", message: raw.jsonText())
        }
    }

    /// Elements that fail to decode become `fallback`'s value, or are dropped when it returns nil.
    private static func eachElement<T: Decodable>(
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, fallback: (JSONValue, any Error) -> T?
    ) -> [T] {
        guard container.contains(key), var list = try? container.nestedUnkeyedContainer(forKey: key) else { return [] }
        return (try? decodeEachElement(&list, fallback: fallback)) ?? []
    }
}
