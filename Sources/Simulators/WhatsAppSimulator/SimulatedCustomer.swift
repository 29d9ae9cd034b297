import Crypto
import Foundation

/// A WhatsApp user who writes to one business number. Every send opens the customer-service window,
/// then POSTs a signed `messages` webhook to the app (when a webhook URL is set) and returns the wamid.
public struct SimulatedCustomer: Sendable {
    public let waID: String
    public let name: String
    /// The business-scoped user id Meta sends next to `wa_id`.
    public let userID: String
    public let phoneNumberID: String
    let simulator: GraphSimulator

    /// Sends `content`; `replyingTo` quotes a message of the business (`context`), `referral` marks an ad click.
    @discardableResult
    public func send(_ content: InboundContent, replyingTo messageID: String? = nil, referral: AdReferral? = nil) async throws -> String {
        guard let number = simulator.number(phoneNumberID) else { throw SimulatorError.unknownPhoneNumber(phoneNumberID) }
        let time = simulator.now()
        let wamid = Identifiers.wamid(customer: waID)
        var message: [String: JSONValue] = [
            "from": .string(waID), "id": .string(wamid), "timestamp": WebhookPayloads.timestamp(time), "type": .string(content.type),
        ]
        for (key, value) in payload(of: content, number: number) { message[key] = value }
        if let messageID {
            message["context"] = ["from": .string(number.displayDigits), "id": .string(messageID)]
        }
        if let referral {
            message["referral"] = [
                "source_url": .string(referral.sourceURL), "source_id": .string(referral.sourceID), "source_type": "ad",
                "headline": .string(referral.headline), "body": .string(referral.body), "media_type": "image",
                "image_url": .string(referral.sourceURL), "ctwa_clid": .string(Identifiers.randomHex(24)),
            ]
        }
        simulator.recordInbound(InboundRecord(wamid: wamid, phoneNumberID: number.phoneNumberID, from: waID, time: time))
        let body = WebhookPayloads.inbound(number: number, customerName: name, waID: waID, userID: userID, message: .object(message))
        if let url = simulator.webhookURL {
            let status = try await simulator.sender.post(body.encoded(), to: url)
            guard (200..<300).contains(status.code) else { throw SimulatorError.webhookRejected(status: status.code) }
        }
        return wamid
    }

    @discardableResult
    public func sendText(_ body: String, replyingTo messageID: String? = nil) async throws -> String {
        try await send(.text(body), replyingTo: messageID)
    }

    @discardableResult
    public func react(to messageID: String, with emoji: String) async throws -> String {
        try await send(.reaction(messageID: messageID, emoji: emoji))
    }

    @discardableResult
    public func removeReaction(from messageID: String) async throws -> String {
        try await send(.reaction(messageID: messageID, emoji: ""))
    }

    /// The type's object of `messages[]`; media bytes are stored so the app can fetch them.
    private func payload(of content: InboundContent, number: SimulatedNumber) -> [String: JSONValue] {
        switch content {
        case .text(let body):
            return ["text": ["body": .string(body)]]
        case .image(let data, let mimeType, let caption):
            return ["image": media(data, mimeType: mimeType, number: number, extra: caption.map { ["caption": .string($0)] } ?? [:])]
        case .video(let data, let mimeType, let caption):
            return ["video": media(data, mimeType: mimeType, number: number, extra: caption.map { ["caption": .string($0)] } ?? [:])]
        case .audio(let data, let mimeType, let voice):
            return ["audio": media(data, mimeType: mimeType, number: number, extra: ["voice": .bool(voice)])]
        case .document(let data, let mimeType, let filename, let caption):
            var extra: [String: JSONValue] = ["filename": .string(filename)]
            if let caption { extra["caption"] = .string(caption) }
            return ["document": media(data, mimeType: mimeType, number: number, filename: filename, extra: extra)]
        case .sticker(let data, let mimeType, let animated):
            return ["sticker": media(data, mimeType: mimeType, number: number, extra: ["animated": .bool(animated)])]
        case .location(let latitude, let longitude, let name, let address):
            var location: [String: JSONValue] = ["latitude": .number(latitude), "longitude": .number(longitude)]
            if let name { location["name"] = .string(name) }
            if let address { location["address"] = .string(address) }
            return ["location": .object(location)]
        case .contacts(let contacts):
            return ["contacts": .array(contacts.map(contactCard))]
        case .buttonReply(let id, let title):
            return ["interactive": ["type": "button_reply", "button_reply": ["id": .string(id), "title": .string(title)]]]
        case .listReply(let id, let title, let description):
            var reply: [String: JSONValue] = ["id": .string(id), "title": .string(title)]
            if let description { reply["description"] = .string(description) }
            return ["interactive": ["type": "list_reply", "list_reply": .object(reply)]]
        case .templateButton(let payload, let text):
            return ["button": ["payload": .string(payload), "text": .string(text)]]
        case .reaction(let messageID, let emoji):
            return ["reaction": ["message_id": .string(messageID), "emoji": .string(emoji)]]
        case .unsupported:
            return [
                "errors": [
                    [
                        "code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                        "error_data": ["details": "Message type is currently not supported."],
                    ]
                ],
                "unsupported": ["type": "poll_creation"],
            ]
        }
    }

    /// Stores the bytes as a media id of `number`. Webhooks carry the SHA-256 in base64, as Meta's do;
    /// `GET /{media-id}` gives the same hash in hex.
    private func media(_ data: Data, mimeType: String, number: SimulatedNumber, filename: String? = nil, extra: [String: JSONValue]) -> JSONValue {
        let stored = StoredMedia(id: Identifiers.numericID(), phoneNumberID: number.phoneNumberID, bytes: data, mimeType: mimeType, filename: filename)
        simulator.state.withLock { $0.media[stored.id] = stored }
        var object: [String: JSONValue] = [
            "id": .string(stored.id), "mime_type": .string(mimeType), "sha256": .string(Data(SHA256.hash(data: data)).base64EncodedString()),
        ]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    private func contactCard(_ contact: SharedContact) -> JSONValue {
        var name: [String: JSONValue] = ["formatted_name": .string(contact.formattedName)]
        if let first = contact.firstName { name["first_name"] = .string(first) }
        if let last = contact.lastName { name["last_name"] = .string(last) }
        var phone: [String: JSONValue] = ["phone": .string(contact.phone), "type": "CELL"]
        if let waID = contact.waID { phone["wa_id"] = .string(waID) }
        return ["name": .object(name), "phones": [.object(phone)]]
    }
}

extension GraphSimulator {
    /// A customer writing to `phoneNumberID` (the first configured number when nil).
    public func customer(waID: String, name: String, to phoneNumberID: String? = nil) -> SimulatedCustomer {
        let userID = state.withLock { state in
            if let existing = state.userIDs[waID] { return existing }
            let created = "NL." + String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
            state.userIDs[waID] = created
            return created
        }
        return SimulatedCustomer(waID: waID, name: name, userID: userID, phoneNumberID: phoneNumberID ?? defaultNumber.phoneNumberID, simulator: self)
    }
}
