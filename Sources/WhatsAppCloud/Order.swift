import Foundation

/// A cart sent from a catalog (`type: "order"`).
public struct Order: Decodable, Sendable, Equatable {
    public var catalogID: String
    public var text: String?
    public var productItems: [ProductItem]

    public struct ProductItem: Decodable, Sendable, Equatable {
        public var productRetailerID: String
        public var quantity: Int
        public var itemPrice: Double
        public var currency: String

        enum CodingKeys: String, CodingKey {
            case quantity, currency
            case productRetailerID = "product_retailer_id"
            case itemPrice = "item_price"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            productRetailerID = try container.decodeLenientString(forKey: .productRetailerID)
            quantity = try container.decodeLenientIntIfPresent(forKey: .quantity) ?? 1
            itemPrice = try container.decodeLenientDouble(forKey: .itemPrice)
            currency = try container.decode(String.self, forKey: .currency)
        }
    }

    enum CodingKeys: String, CodingKey {
        case text
        case catalogID = "catalog_id"
        case productItems = "product_items"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        catalogID = try container.decodeLenientString(forKey: .catalogID)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        productItems = try container.decodeArrayIfPresent([ProductItem].self, forKey: .productItems)
    }
}
