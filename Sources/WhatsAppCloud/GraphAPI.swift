import Foundation

/// The calls the app makes to Meta's Graph API. `GraphAPIClient` is the live implementation.
/// Failures throw `GraphError` (with `httpStatus` set); decide what to do with `error.disposition`.
public protocol GraphAPI: Sendable {
    func send(_ message: OutboundMessage, from phoneNumberID: String, token: String) async throws -> SendResult
    func markRead(messageID: String, phoneNumberID: String, token: String) async throws
    /// Uploads with multipart/form-data (`messaging_product`, `type`, `file`); returns the media id.
    func uploadMedia(_ data: Data, mimeType: String, filename: String, phoneNumberID: String, token: String) async throws -> String
    func mediaInfo(id: String, token: String) async throws -> MediaInfo
    /// Downloads with the Bearer token; refuses bodies over `maxBytes`, and URLs outside the
    /// allowed media hosts (`MediaHostRefused`) before sending anything.
    func downloadMedia(from url: URL, token: String, maxBytes: Int) async throws -> Data
    func phoneNumberInfo(phoneNumberID: String, token: String) async throws -> PhoneNumberInfo
    /// `GET /{waba-id}/phone_numbers`: the numbers of a WhatsApp Business Account, a page at a time.
    func phoneNumberIDs(businessAccountID: String, after cursor: String?, token: String) async throws -> BusinessAccountNumbersPage
    /// `GET /{waba-id}?fields=owner_business_info`: the id of the business portfolio that owns the
    /// account (its numbers share one messaging limit), nil when Meta does not say.
    func businessPortfolioID(businessAccountID: String, token: String) async throws -> String?
    func templates(wabaID: String, after cursor: String?, token: String) async throws -> TemplatePage
    func createTemplate(_ definition: TemplateDefinition, wabaID: String, token: String) async throws -> (id: String, status: String, category: String)
    func deleteTemplate(name: String, wabaID: String, token: String) async throws
}
