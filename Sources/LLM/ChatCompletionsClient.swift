import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Where and how to reach an OpenAI-compatible chat completions API.
public struct LLMConfiguration: Sendable {
    /// `https://openrouter.ai/api/v1` (`OPENROUTER_BASE_URL`), or any compatible provider's, or a loopback fake.
    public var baseURL: String
    public var apiKey: String
    /// The model asked first, and the one asked when it is busy, broken, slow or refuses.
    public var defaultModel: String
    public var fallbackModel: String?
    /// The longest one request may take, streaming included.
    public var timeout: TimeInterval
    /// OpenRouter's attribution headers (`HTTP-Referer`, `X-Title`); other providers ignore them.
    public var appURL: String?
    public var appName: String?

    public init(
        baseURL: String = "https://openrouter.ai/api/v1", apiKey: String, defaultModel: String, fallbackModel: String? = nil,
        timeout: TimeInterval = 60, appURL: String? = nil, appName: String? = nil
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.defaultModel = defaultModel
        self.fallbackModel = fallbackModel
        self.timeout = timeout
        self.appURL = appURL
        self.appName = appName
    }
}

/// What a streamed completion yields: pieces of text as they come, then the whole answer.
public enum ChatStreamEvent: Sendable, Equatable {
    case text(String)
    case done(ChatAnswer)
}

/// The chat completions API (`POST {base}/chat/completions`), whole or streamed over server-sent
/// events, with the fallback model asked when the default one is rate limited, failing, too slow or
/// refused (for a stream: only before its first text, so a reader never sees two answers mixed).
public struct ChatCompletionsClient: Sendable {
    public let configuration: LLMConfiguration
    let client: HTTPClient

    public init(_ configuration: LLMConfiguration, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.client = client
    }

    /// The models to ask, in order.
    var models: [String] { [configuration.defaultModel] + (configuration.fallbackModel.map { [$0] } ?? []) }

    // MARK: Whole

    public func complete(_ request: ChatRequest) async throws -> ChatAnswer {
        var lastError: LLMError?
        for model in models {
            do {
                return try await complete(request, model: model)
            } catch let error as LLMError where error.callsForFallback {
                lastError = error
            }
        }
        throw lastError ?? LLMError(kind: .invalidRequest, message: "No model is configured")
    }

    public func complete(_ request: ChatRequest, model: String) async throws -> ChatAnswer {
        let response = try await send(try request.body(model: model, stream: false))
        let data: Data
        do {
            data = Data(buffer: try await response.body.collect(upTo: 8 << 20))
        } catch {
            throw LLMError(kind: .timeout, message: "The answer did not arrive in time: \(error)")
        }
        struct Completion: Decodable {
            struct Choice: Decodable {
                struct Message: Decodable { var content: String? }
                var message: Message
                var finish_reason: String?
            }
            var id: String
            var model: String?
            var choices: [Choice]
            var usage: TokenUsage?
        }
        guard let completion = try? JSONDecoder().decode(Completion.self, from: data), let choice = completion.choices.first else {
            throw LLMError(kind: .connection, httpStatus: 200, message: "The answer is not a chat completion")
        }
        return ChatAnswer(
            id: completion.id, model: completion.model ?? model, content: choice.message.content ?? "", finishReason: choice.finish_reason,
            usage: completion.usage)
    }

    // MARK: Streamed

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var lastError: LLMError?
                for model in models {
                    var started = false
                    do {
                        for try await event in stream(request, model: model) {
                            started = true
                            continuation.yield(event)
                        }
                        continuation.finish()
                        return
                    } catch let error as LLMError where error.callsForFallback && !started {
                        lastError = error
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
                continuation.finish(throwing: lastError ?? LLMError(kind: .invalidRequest, message: "No model is configured"))
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func stream(_ request: ChatRequest, model: String) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await send(try request.body(model: model, stream: true))
                    var parser = ServerSentEvents()
                    var content = ""
                    var id = ""
                    var answeredBy = model
                    var finishReason: String?
                    var usage: TokenUsage?
                    reading: for try await buffer in response.body {
                        for data in parser.feed(buffer.readableBytesView) {
                            if data == "[DONE]" { break reading }
                            let chunk = try ServerSentEvents.chunk(data)
                            if let chunkID = chunk.id { id = chunkID }
                            if let chunkModel = chunk.model { answeredBy = chunkModel }
                            if let failure = chunk.error { throw failure }
                            if let chunkUsage = chunk.usage { usage = chunkUsage }
                            for choice in chunk.choices ?? [] {
                                if let text = choice.delta?.content, !text.isEmpty {
                                    content += text
                                    continuation.yield(.text(text))
                                }
                                if let reason = choice.finish_reason { finishReason = reason }
                            }
                        }
                    }
                    continuation.yield(.done(ChatAnswer(id: id, model: answeredBy, content: content, finishReason: finishReason, usage: usage)))
                    continuation.finish()
                } catch let error as LLMError {
                    continuation.finish(throwing: error)
                } catch is CancellationError {
                    continuation.finish(throwing: CancellationError())
                } catch {
                    continuation.finish(throwing: LLMError(kind: .timeout, message: "The stream broke off: \(error)"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    // MARK: Transport

    private func send(_ body: Data) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: configuration.baseURL + "/chat/completions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let appURL = configuration.appURL { request.headers.add(name: "HTTP-Referer", value: appURL) }
        if let appName = configuration.appName { request.headers.add(name: "X-Title", value: appName) }
        request.body = .bytes(ByteBuffer(data: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeout * 1000)))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw LLMError(kind: .timeout, message: "No answer within \(Int(configuration.timeout)) s")
        } catch {
            throw LLMError(kind: .connection, message: "The provider did not answer: \(error)")
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data(buffer: $0) } ?? Data()
            throw LLMError.from(status: status, body: data, retryAfter: response.headers.first(name: "Retry-After").flatMap(TimeInterval.init))
        }
        return response
    }
}

/// Reads `text/event-stream`: `data:` lines, events ended by a blank line, comments (`:`) skipped
/// (OpenRouter sends `: OPENROUTER PROCESSING` while it waits).
struct ServerSentEvents {
    /// Bytes after the last newline: a line (or a character) may be split across network reads.
    private var pending: [UInt8] = []
    private var data: [String] = []

    /// The data of each event completed by `bytes`.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        pending.append(contentsOf: bytes)
        var events: [String] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.isEmpty {
                if !data.isEmpty { events.append(data.joined(separator: "\n")) }
                data = []
            } else if line.starts(with: Array("data:".utf8)) {
                var value = line.dropFirst(5)
                if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
                data.append(String(decoding: value, as: UTF8.self))
            }
        }
        return events
    }

    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable { var content: String? }
            var delta: Delta?
            var finish_reason: String?
        }
        struct Failure: Decodable {
            var message: String?
            var code: LLMError.CodeValue?
        }
        var id: String?
        var model: String?
        var choices: [Choice]?
        var usage: TokenUsage?
        var errorBody: Failure?

        /// An error sent inside the stream after the 200 (OpenRouter does so for a provider failing mid-way).
        var error: LLMError? {
            errorBody.map { LLMError(kind: .provider, httpStatus: nil, message: $0.message ?? "The provider failed during the answer") }
        }

        enum CodingKeys: String, CodingKey {
            case id, model, choices, usage
            case errorBody = "error"
        }
    }

    static func chunk(_ data: String) throws -> Chunk {
        do {
            return try JSONDecoder().decode(Chunk.self, from: Data(data.utf8))
        } catch {
            throw LLMError(kind: .connection, message: "A streamed chunk is not JSON: \(data.prefix(80))")
        }
    }
}
