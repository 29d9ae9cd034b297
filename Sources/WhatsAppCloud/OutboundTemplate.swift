import Foundation

/// An approved template to send (`type: "template"`).
public struct TemplateMessage: Sendable, Equatable {
    public var name: String
    /// e.g. `en_US`, `nl`.
    public var languageCode: String
    public var header: HeaderParameter?
    public var body: [TextParameter]
    public var buttons: [ButtonParameter]

    public init(name: String, languageCode: String, header: HeaderParameter? = nil, body: [TextParameter] = [], buttons: [ButtonParameter] = []) {
        self.name = name
        self.languageCode = languageCode
        self.header = header
        self.body = body
        self.buttons = buttons
    }

    /// The value of a `{{1}}` (positional, `name == nil`) or `{{first_name}}` (named) variable.
    public struct TextParameter: Sendable, Equatable {
        public var name: String?
        public var value: Value

        public enum Value: Sendable, Equatable {
            case text(String)
            /// `amount1000` is the amount times 1000; `fallback` is shown where currency formatting is unavailable.
            case currency(fallback: String, code: String, amount1000: Int)
            case dateTime(fallback: String)
        }

        public static func text(_ text: String, name: String? = nil) -> TextParameter {
            TextParameter(name: name, value: .text(text))
        }

        public init(name: String? = nil, value: Value) {
            self.name = name
            self.value = value
        }

        func payload() -> JSONValue {
            var object: [String: JSONValue]
            switch value {
            case .text(let text): object = ["type": "text", "text": .string(text)]
            case .currency(let fallback, let code, let amount1000):
                object = [
                    "type": "currency", "currency": ["fallback_value": .string(fallback), "code": .string(code), "amount_1000": .number(Double(amount1000))],
                ]
            case .dateTime(let fallback):
                object = ["type": "date_time", "date_time": ["fallback_value": .string(fallback)]]
            }
            if let name { object["parameter_name"] = .string(name) }
            return .object(object)
        }
    }

    public enum HeaderParameter: Sendable, Equatable {
        case text(TextParameter)
        case image(MediaReference)
        case video(MediaReference)
        case document(MediaReference, filename: String?)
        case location(latitude: Double, longitude: Double, name: String?, address: String?)

        func payload() -> JSONValue {
            switch self {
            case .text(let parameter): return parameter.payload()
            case .image(let media): return ["type": "image", "image": media.payload()]
            case .video(let media): return ["type": "video", "video": media.payload()]
            case .document(let media, let filename): return ["type": "document", "document": media.payload(filename: filename)]
            case .location(let latitude, let longitude, let name, let address):
                return [
                    "type": "location", "location": OutboundContent.location(latitude: latitude, longitude: longitude, name: name, address: address).payload(),
                ]
            }
        }
    }

    /// A parameter for the template button at `index` (0-based position among the template's buttons).
    public struct ButtonParameter: Sendable, Equatable {
        public var index: Int
        public var kind: Kind

        public enum Kind: Sendable, Equatable {
            /// The payload returned in the `button` webhook when the quick reply is tapped.
            case quickReply(payload: String)
            /// The variable suffix of a dynamic URL button.
            case url(suffix: String)
            case copyCode(String)
            case flow(token: String, actionData: JSONValue?)
        }

        public init(index: Int, kind: Kind) {
            self.index = index
            self.kind = kind
        }

        var subType: String {
            switch kind {
            case .quickReply: "quick_reply"
            case .url: "url"
            case .copyCode: "copy_code"
            case .flow: "flow"
            }
        }

        func payload() -> JSONValue {
            let parameter: JSONValue
            switch kind {
            case .quickReply(let payload): parameter = ["type": "payload", "payload": .string(payload)]
            case .url(let suffix): parameter = ["type": "text", "text": .string(suffix)]
            case .copyCode(let code): parameter = ["type": "coupon_code", "coupon_code": .string(code)]
            case .flow(let token, let actionData):
                var action: [String: JSONValue] = ["flow_token": .string(token)]
                if let actionData { action["flow_action_data"] = actionData }
                parameter = ["type": "action", "action": .object(action)]
            }
            return ["type": "button", "sub_type": .string(subType), "index": .string(String(index)), "parameters": [parameter]]
        }
    }

    func payload() -> JSONValue {
        var components: [JSONValue] = []
        if let header { components.append(["type": "header", "parameters": [header.payload()]]) }
        if !body.isEmpty { components.append(["type": "body", "parameters": .array(body.map { $0.payload() })]) }
        components.append(contentsOf: buttons.map { $0.payload() })
        var object: [String: JSONValue] = ["name": .string(name), "language": ["code": .string(languageCode)]]
        if !components.isEmpty { object["components"] = .array(components) }
        return .object(object)
    }
}
