import Foundation

/// One page of `GET /{whatsapp-business-account-id}/phone_numbers`: the numbers registered under a
/// WhatsApp Business Account, which is how a connection proves its number belongs to the account
/// it names.
public struct BusinessAccountNumbersPage: Decodable, Sendable, Equatable {
    public var phoneNumberIDs: [String]
    /// `paging.cursors.after`, only when `paging.next` says there is another page.
    public var nextCursor: String?

    public init(phoneNumberIDs: [String], nextCursor: String? = nil) {
        self.phoneNumberIDs = phoneNumberIDs
        self.nextCursor = nextCursor
    }

    private struct Number: Decodable { var id: String }
    private struct Paging: Decodable {
        struct Cursors: Decodable { var after: String? }
        var cursors: Cursors?
        var next: String?
    }
    private enum CodingKeys: String, CodingKey { case data, paging }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        phoneNumberIDs = try container.decode([Number].self, forKey: .data).map(\.id)
        let paging = try container.decodeIfPresent(Paging.self, forKey: .paging)
        nextCursor = paging?.next != nil ? paging?.cursors?.after : nil
    }
}
