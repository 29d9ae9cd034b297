import Foundation

/// A contact card the customer shared (`type: "contacts"`).
public struct SharedContact: Decodable, Sendable, Equatable {
    public var name: Name
    public var phones: [Phone]
    public var emails: [Email]
    public var organization: Organization?
    public var urls: [Link]
    public var addresses: [Address]
    /// `YYYY-MM-DD` as sent.
    public var birthday: String?

    public struct Name: Decodable, Sendable, Equatable {
        public var formattedName: String
        public var firstName: String?
        public var lastName: String?
        public var middleName: String?
        public var prefix: String?
        public var suffix: String?

        enum CodingKeys: String, CodingKey {
            case prefix, suffix
            case formattedName = "formatted_name"
            case firstName = "first_name"
            case lastName = "last_name"
            case middleName = "middle_name"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            firstName = try container.decodeIfPresent(String.self, forKey: .firstName)
            lastName = try container.decodeIfPresent(String.self, forKey: .lastName)
            middleName = try container.decodeIfPresent(String.self, forKey: .middleName)
            prefix = try container.decodeIfPresent(String.self, forKey: .prefix)
            suffix = try container.decodeIfPresent(String.self, forKey: .suffix)
            formattedName =
                try container.decodeIfPresent(String.self, forKey: .formattedName)
                ?? [firstName, lastName].compactMap { $0 }.joined(separator: " ")
        }
    }

    public struct Phone: Decodable, Sendable, Equatable {
        public var phone: String?
        public var waID: String?
        public var type: String?

        enum CodingKeys: String, CodingKey {
            case phone, type
            case waID = "wa_id"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            phone = try container.decodeLenientStringIfPresent(forKey: .phone)
            waID = try container.decodeLenientStringIfPresent(forKey: .waID)
            type = try container.decodeIfPresent(String.self, forKey: .type)
        }
    }

    public struct Email: Decodable, Sendable, Equatable {
        public var email: String
        public var type: String?
    }

    public struct Organization: Decodable, Sendable, Equatable {
        public var company: String?
        public var department: String?
        public var title: String?
    }

    public struct Link: Decodable, Sendable, Equatable {
        public var url: String
        public var type: String?
    }

    public struct Address: Decodable, Sendable, Equatable {
        public var street: String?
        public var city: String?
        public var state: String?
        public var zip: String?
        public var country: String?
        public var countryCode: String?
        public var type: String?

        enum CodingKeys: String, CodingKey {
            case street, city, state, zip, country, type
            case countryCode = "country_code"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, phones, emails, org, urls, addresses, birthday
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(Name.self, forKey: .name)
        phones = try container.decodeArrayIfPresent([Phone].self, forKey: .phones)
        emails = try container.decodeArrayIfPresent([Email].self, forKey: .emails)
        organization = try container.decodeIfPresent(Organization.self, forKey: .org)
        urls = try container.decodeArrayIfPresent([Link].self, forKey: .urls)
        addresses = try container.decodeArrayIfPresent([Address].self, forKey: .addresses)
        birthday = try container.decodeIfPresent(String.self, forKey: .birthday)
    }
}
