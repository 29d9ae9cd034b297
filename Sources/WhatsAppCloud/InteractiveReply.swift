import Foundation

/// The customer's answer to an interactive message (`type: "interactive"`).
public enum InteractiveReply: Decodable, Sendable, Equatable {
    /// A reply button was tapped.
    case buttonReply(id: String, title: String)
    /// A list row was chosen.
    case listReply(id: String, title: String, description: String?)
    /// A Flow was completed (`nfm_reply`); `responseJSON` is the Flow's answer as JSON text.
    case flowReply(name: String?, body: String?, responseJSON: String)
    /// An interactive reply type this module does not know.
    case other(type: String)

    enum CodingKeys: String, CodingKey {
        case type
        case buttonReply = "button_reply"
        case listReply = "list_reply"
        case flowReply = "nfm_reply"
    }

    enum ReplyKeys: String, CodingKey {
        case id, title, description, name, body
        case responseJSON = "response_json"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "button_reply":
            let reply = try container.nestedContainer(keyedBy: ReplyKeys.self, forKey: .buttonReply)
            self = .buttonReply(id: try reply.decodeLenientString(forKey: .id), title: try reply.decode(String.self, forKey: .title))
        case "list_reply":
            let reply = try container.nestedContainer(keyedBy: ReplyKeys.self, forKey: .listReply)
            self = .listReply(
                id: try reply.decodeLenientString(forKey: .id), title: try reply.decode(String.self, forKey: .title),
                description: try reply.decodeIfPresent(String.self, forKey: .description))
        case "nfm_reply":
            let reply = try container.nestedContainer(keyedBy: ReplyKeys.self, forKey: .flowReply)
            let response: String
            if let text = try? reply.decode(String.self, forKey: .responseJSON) {
                response = text
            } else {
                response = try reply.decode(JSONValue.self, forKey: .responseJSON).jsonText()
            }
            self = .flowReply(
                name: try reply.decodeIfPresent(String.self, forKey: .name), body: try reply.decodeIfPresent(String.self, forKey: .body),
                responseJSON: response)
        default:
            self = .other(type: type)
        }
    }
}
