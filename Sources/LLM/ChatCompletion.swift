import Foundation

/// A request to an OpenAI-compatible `POST /chat/completions` (OpenRouter, OpenAI, a local server).
public struct ChatRequest: Sendable, Equatable {
    public struct Message: Sendable, Equatable, Codable {
        public enum Role: String, Sendable, Codable { case system, user, assistant }
        public var role: Role
        public var content: String

        public init(_ role: Role, _ content: String) {
            self.role = role
            self.content = content
        }
    }

    public var messages: [Message]
    public var maxTokens: Int?
    public var temperature: Double?
    /// A JSON schema the answer must follow (`response_format: {type: json_schema}`), by name.
    public var jsonSchema: (name: String, schema: String)?

    public init(messages: [Message], maxTokens: Int? = nil, temperature: Double? = nil, jsonSchema: (name: String, schema: String)? = nil) {
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.jsonSchema = jsonSchema
    }

    public static func == (a: ChatRequest, b: ChatRequest) -> Bool {
        a.messages == b.messages && a.maxTokens == b.maxTokens && a.temperature == b.temperature && a.jsonSchema?.name == b.jsonSchema?.name
            && a.jsonSchema?.schema == b.jsonSchema?.schema
    }

    /// The JSON body for `model`, streamed or not.
    func body(model: String, stream: Bool) throws -> Data {
        var object: [String: Any] = [
            "model": model,
            "messages": messages.map { ["role": $0.role.rawValue, "content": $0.content] },
        ]
        if let maxTokens { object["max_tokens"] = maxTokens }
        if let temperature { object["temperature"] = temperature }
        if let jsonSchema {
            guard let schema = try JSONSerialization.jsonObject(with: Data(jsonSchema.schema.utf8)) as? [String: Any] else {
                throw LLMError(kind: .invalidRequest, message: "The JSON schema \(jsonSchema.name) is not a JSON object")
            }
            object["response_format"] = ["type": "json_schema", "json_schema": ["name": jsonSchema.name, "strict": true, "schema": schema]]
        }
        if stream {
            object["stream"] = true
            // The usage arrives in the last chunk.
            object["stream_options"] = ["include_usage": true]
        }
        // OpenRouter adds the cost to the usage when asked.
        object["usage"] = ["include": true]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}

/// Tokens (and, where the provider says, the cost) of one completion.
public struct TokenUsage: Sendable, Equatable, Decodable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// In the provider's credits (OpenRouter: US dollars), when it reports one.
    public var cost: Double?

    public init(promptTokens: Int, completionTokens: Int, totalTokens: Int, cost: Double? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.cost = cost
    }

    enum CodingKeys: String, CodingKey {
        case cost
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

/// A finished completion.
public struct ChatAnswer: Sendable, Equatable {
    public var id: String
    /// The model that answered (after a fallback, the fallback).
    public var model: String
    public var content: String
    /// `stop`, `length`, `content_filter`, ...
    public var finishReason: String?
    public var usage: TokenUsage?

    public init(id: String, model: String, content: String, finishReason: String?, usage: TokenUsage?) {
        self.id = id
        self.model = model
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
    }
}

/// What went wrong with a chat completion, from the status and the error body
/// (`{"error": {"message", "type", "code"}}`; OpenRouter's `code` is the status number).
public struct LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// 400: the request is wrong.
        case invalidRequest
        /// 401: the key is wrong.
        case authentication
        /// 402: the account has no credit left.
        case insufficientCredits
        /// 403: the provider's moderation refused the input.
        case moderated
        /// 404, or a 400 about the model: the model does not exist or is not available.
        case modelUnavailable
        /// 408 or no answer in time.
        case timeout
        /// 429.
        case rateLimited
        /// 5xx: trouble at the provider.
        case provider
        /// No answer, or one that is not a completion.
        case connection
    }

    public var kind: Kind
    public var httpStatus: Int?
    public var message: String
    public var retryAfter: TimeInterval?

    public init(kind: Kind, httpStatus: Int? = nil, message: String, retryAfter: TimeInterval? = nil) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String {
        "AI provider error (\(kind.rawValue)\(httpStatus.map { ", HTTP \($0)" } ?? "")): \(message)"
    }

    /// Worth asking the fallback model: busy, broken, slow or refusing this model.
    public var callsForFallback: Bool {
        switch kind {
        case .rateLimited, .provider, .timeout, .modelUnavailable, .connection: true
        case .invalidRequest, .authentication, .insufficientCredits, .moderated: false
        }
    }

    struct Body: Decodable {
        struct Detail: Decodable {
            var message: String?
            var type: String?
            var code: CodeValue?
        }
        var error: Detail
    }

    /// OpenAI sends `code` as a string, OpenRouter as a number.
    enum CodeValue: Decodable {
        case text(String), number(Int)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
        }
        var text: String {
            switch self {
            case .text(let text): text
            case .number(let number): String(number)
            }
        }
    }

    static func from(status: Int, body: Data, retryAfter: TimeInterval?) -> LLMError {
        let detail = (try? JSONDecoder().decode(Body.self, from: body))?.error
        let message = detail?.message ?? "The provider answered HTTP \(status)"
        let aboutModel = [detail?.code?.text, detail?.type].contains { $0 == "model_not_found" } || message.lowercased().contains("model")
        let kind: Kind =
            switch status {
            case 401: .authentication
            case 402: .insufficientCredits
            case 403: .moderated
            case 404: .modelUnavailable
            case 400 where aboutModel: .modelUnavailable
            case 408: .timeout
            case 429: .rateLimited
            case 500...: .provider
            default: .invalidRequest
            }
        return LLMError(kind: kind, httpStatus: status, message: message, retryAfter: retryAfter)
    }
}
