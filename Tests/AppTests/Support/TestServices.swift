@testable import App
import Crypto
import Foundation
import KeyVault
import ObjectStore
import Synchronization
import WhatsAppCloud

/// A Graph API in the test process: records what the app sends and answers with made-up ids.
/// For tests of the app's own logic; what goes over the wire is tested through the simulator
/// (`WhatsAppHarness`). Calls it does not fake throw `GraphAPIFake.NotFaked`.
final class GraphAPIFake: GraphAPI {
    struct NotFaked: Error { var call: String }

    struct Sent: Sendable {
        var message: OutboundMessage
        var phoneNumberID: String
        var token: String
    }

    private let state = Mutex<(sent: [Sent], read: [String])>(([], []))

    var sent: [Sent] { state.withLock { $0.sent } }
    var readReceipts: [String] { state.withLock { $0.read } }

    func send(_ message: OutboundMessage, from phoneNumberID: String, token: String) async throws -> SendResult {
        let count = state.withLock { state in
            state.sent.append(Sent(message: message, phoneNumberID: phoneNumberID, token: token))
            return state.sent.count
        }
        return SendResult(messageID: "wamid.FAKE\(count)", waID: nil, messageStatus: "accepted")
    }

    func markRead(messageID: String, phoneNumberID: String, token: String) async throws {
        state.withLock { $0.read.append(messageID) }
    }

    func uploadMedia(_ data: Data, mimeType: String, filename: String, phoneNumberID: String, token: String) async throws -> String {
        throw NotFaked(call: "uploadMedia")
    }

    func mediaInfo(id: String, token: String) async throws -> MediaInfo { throw NotFaked(call: "mediaInfo") }
    func downloadMedia(from url: URL, token: String, maxBytes: Int) async throws -> Data { throw NotFaked(call: "downloadMedia") }
    func phoneNumberInfo(phoneNumberID: String, token: String) async throws -> PhoneNumberInfo { throw NotFaked(call: "phoneNumberInfo") }

    func phoneNumberIDs(businessAccountID: String, after cursor: String?, token: String) async throws -> BusinessAccountNumbersPage {
        throw NotFaked(call: "phoneNumberIDs")
    }

    func businessPortfolioID(businessAccountID: String, token: String) async throws -> String? {
        throw NotFaked(call: "businessPortfolioID")
    }

    func templates(wabaID: String, after cursor: String?, token: String) async throws -> TemplatePage { throw NotFaked(call: "templates") }

    func createTemplate(_ definition: TemplateDefinition, wabaID: String, token: String) async throws -> (id: String, status: String, category: String) {
        throw NotFaked(call: "createTemplate")
    }

    func deleteTemplate(name: String, wabaID: String, token: String) async throws { throw NotFaked(call: "deleteTemplate") }
}

/// Objects kept in memory.
final class InMemoryObjectStore: ObjectStore {
    private let objects = Mutex<[String: StoredObject]>([:])

    var keys: [String] { objects.withLock { Array($0.keys).sorted() } }

    func put(_ data: Data, key: String, contentType: String) async throws {
        objects.withLock { $0[key] = StoredObject(data: data, contentType: contentType) }
    }

    func get(_ key: String) async throws -> StoredObject {
        guard let object = objects.withLock({ $0[key] }) else { throw ObjectStoreError.notFound(key: key) }
        return object
    }

    func delete(_ key: String) async throws {
        _ = objects.withLock { $0.removeValue(forKey: key) }
    }
}

/// Wraps data keys with a key held in memory: no master key file.
struct InMemoryKeyProvider: KeyProvider {
    let name = "test-memory"
    let key = SymmetricKey(size: .bits256)

    func wrap(_ dataKey: SymmetricKey, context: Data) async throws -> Data {
        try Envelope.seal(dataKey.withUnsafeBytes { Data($0) }, with: key, context: context)
    }

    func unwrap(_ wrapped: Data, context: Data) async throws -> SymmetricKey {
        SymmetricKey(data: try Envelope.open(wrapped, with: key, context: context))
    }
}
