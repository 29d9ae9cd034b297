import Foundation
import Synchronization
import SimulatorSupport
import Vapor

/// A request the fake received.
public struct LLMReceivedRequest: Sendable, Equatable {
    public var model: String
    public var messages: [[String: String]]
    public var stream: Bool
    public var maxTokens: Int?
    public var temperature: Double?
    public var responseFormat: String?
    /// `HTTP-Referer` and `X-Title`, OpenRouter's attribution headers.
    public var referer: String?
    public var title: String?
    /// The bearer key it came with (one of the simulator's keys).
    public var apiKey: String = ""
}

/// How the fake answers a model's next requests.
public enum LLMScriptedAnswer: Sendable, Equatable {
    /// This text (streamed word by word when asked to stream).
    case text(String)
    /// An error status with the provider's body, e.g. 429 with `Retry-After`.
    case error(status: Int, message: String, retryAfter: Int? = nil)
    /// Waits this long before answering the default text (for timeouts).
    case delay(TimeInterval)
    /// Starts streaming, then sends an error chunk (as OpenRouter does when a provider fails mid-way).
    case failMidStream(afterText: String)
}

/// A loopback OpenAI-compatible chat completions API (`POST /api/v1/chat/completions`) as OpenRouter
/// documents it: a bearer key, the completion object with `usage` (tokens and `cost`), server-sent
/// events for `stream: true` (`: OPENROUTER PROCESSING` comments, `chat.completion.chunk` deltas, the
/// usage in the last chunk when `stream_options.include_usage`, then `data: [DONE]`), and the error
/// body `{"error": {"code", "message"}}`. Unless scripted, a model answers "<model> answers: <the last
/// user message>"; tokens are counted as words, each at the model's price.
public final class LLMSimulator: Sendable {
    public let apiKey: String
    let prices: [String: Double]
    /// What every model answers when nothing is scripted (nil: it echoes the last user message).
    let answer: String?
    private let state = Mutex(State())
    private let server = LoopbackServer()

    struct State {
        var requests: [LLMReceivedRequest] = []
        var scripts: [String: [LLMScriptedAnswer]] = [:]
        var sequence = 0
        /// Keys accepted besides `apiKey` (`accept(apiKey:)`).
        var otherKeys: Set<String> = []
    }

    /// `prices`: the cost of one token, per model (models not named cost nothing). `answer`: what
    /// every model answers when nothing is scripted (by default each echoes the last user message).
    public init(apiKey: String = "sk-or-test-" + UUID().uuidString.prefix(8).lowercased(), prices: [String: Double] = [:], answer: String? = nil) {
        self.apiKey = apiKey
        self.prices = prices
        self.answer = answer
    }

    /// Starts serving; returns the base URL to configure (`http://127.0.0.1:PORT/api/v1`).
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> URL {
        try await server.start(name: "llm-simulator", host: host, port: port, path: "/api/v1") { app in
            app.on(.POST, "api", "v1", "chat", "completions", body: .collect(maxSize: "4mb")) { [self] request in try await self.complete(request) }
        }
    }

    public func shutdown() async throws {
        try await server.shutdown()
    }

    public var requests: [LLMReceivedRequest] { state.withLock { $0.requests } }

    /// Accepts another key too, as a provider accepts each of its customers' keys.
    public func accept(apiKey key: String) {
        state.withLock { _ = $0.otherKeys.insert(key) }
    }

    /// The next `times` requests for `model` get `answer`.
    public func script(_ model: String, _ answer: LLMScriptedAnswer, times: Int = 1) {
        state.withLock { $0.scripts[model, default: []] += Array(repeating: answer, count: times) }
    }

    // MARK: POST /api/v1/chat/completions

    func complete(_ request: Request) async throws -> Response {
        let key = request.headers.bearerAuthorization?.token ?? ""
        guard key == apiKey || state.withLock({ $0.otherKeys.contains(key) }) else {
            return Self.error(401, "No auth credentials found")
        }
        guard let body = request.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let model = object["model"] as? String, !model.isEmpty,
            let rawMessages = object["messages"] as? [[String: Any]], !rawMessages.isEmpty
        else {
            return Self.error(400, "Input required: specify \"model\" and \"messages\"")
        }
        var messages: [[String: String]] = []
        for message in rawMessages {
            guard let role = message["role"] as? String, ["system", "user", "assistant"].contains(role), let content = message["content"] as? String else {
                return Self.error(400, "Each message needs a role (system, user, assistant) and a string content")
            }
            messages.append(["role": role, "content": content])
        }
        let stream = object["stream"] as? Bool ?? false
        let format = (object["response_format"] as? [String: Any])?["type"] as? String
        let received = LLMReceivedRequest(
            model: model, messages: messages, stream: stream, maxTokens: object["max_tokens"] as? Int, temperature: object["temperature"] as? Double,
            responseFormat: format, referer: request.headers.first(name: "HTTP-Referer"), title: request.headers.first(name: "X-Title"), apiKey: key)
        let (scripted, id) = state.withLock { state -> (LLMScriptedAnswer?, String) in
            state.requests.append(received)
            state.sequence += 1
            let next = state.scripts[model]?.isEmpty == false ? state.scripts[model]?.removeFirst() : nil
            return (next, "gen-\(state.sequence)-sim")
        }
        var text = answer ?? "\(model) answers: \(messages.last { $0["role"] == "user" }?["content"] ?? "")"
        var failAfter: String?
        switch scripted {
        case .text(let scriptedText): text = scriptedText
        case .error(let status, let message, let retryAfter): return Self.error(status, message, retryAfter: retryAfter)
        case .delay(let seconds): try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        case .failMidStream(let before): failAfter = before
        case nil: break
        }
        let promptTokens = messages.reduce(0) { $0 + Self.words($1["content"] ?? "") }
        let completionTokens = Self.words(failAfter ?? text)
        let usage: [String: Any] = [
            "prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": promptTokens + completionTokens,
            "cost": Double(promptTokens + completionTokens) * (prices[model] ?? 0),
        ]
        let created = Int(Date().timeIntervalSince1970)
        if !stream {
            return Self.json([
                "id": id, "object": "chat.completion", "created": created, "model": model,
                "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]], "usage": usage,
            ])
        }
        let includeUsage = ((object["stream_options"] as? [String: Any])?["include_usage"] as? Bool) == true
        func chunk(_ choices: [[String: Any]], usage: [String: Any]? = nil) -> String {
            var object: [String: Any] = ["id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": choices]
            if let usage { object["usage"] = usage }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return "data: " + String(decoding: data, as: UTF8.self) + "\n\n"
        }
        // The whole stream, event by event, written as it would come.
        var events = [": OPENROUTER PROCESSING\n\n"]
        for (index, piece) in Self.pieces(failAfter ?? text).enumerated() {
            let delta: [String: Any] = index == 0 ? ["role": "assistant", "content": piece] : ["content": piece]
            events.append(chunk([["index": 0, "delta": delta, "finish_reason": NSNull()]]))
        }
        if failAfter != nil {
            events.append("data: {\"error\":{\"code\":502,\"message\":\"The provider stopped answering\"}}\n\n")
        } else {
            events.append(chunk([["index": 0, "delta": [String: Any](), "finish_reason": "stop"]]))
            if includeUsage { events.append(chunk([], usage: usage)) }
            events.append("data: [DONE]\n\n")
        }
        let response = Response(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"])
        response.body = .init(asyncStream: { [events] writer in
            for event in events { try await writer.write(.buffer(ByteBuffer(string: event))) }
            try await writer.write(.end)
        })
        return response
    }

    static func words(_ text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }

    /// The text in pieces of a word and its following space (the way tokens arrive).
    static func pieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    static func json(_ object: [String: Any], status: HTTPResponseStatus = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }

    /// OpenRouter's error body: `{"error": {"code": <status>, "message": ...}}`.
    static func error(_ status: Int, _ message: String, retryAfter: Int? = nil) -> Response {
        let response = json(["error": ["code": status, "message": message]], status: HTTPResponseStatus(statusCode: status))
        if let retryAfter { response.headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter)) }
        return response
    }
}
