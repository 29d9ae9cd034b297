import Foundation
import LLMSimulator
import PythonPeers
import Testing

@testable import LLM

/// Runs `body` against a started simulator; `fallback` is the configuration's fallback model.
func withLLMSimulator(
    timeout: TimeInterval = 30, _ body: (LLMSimulator, ChatCompletionsClient) async throws -> Void
) async throws {
    let simulator = LLMSimulator(prices: ["anthropic/claude-3.5-sonnet": 0.000003, "anthropic/claude-3-haiku": 0.00000025])
    let baseURL = try await simulator.start()
    let client = ChatCompletionsClient(
        LLMConfiguration(
            baseURL: baseURL.absoluteString, apiKey: simulator.apiKey, defaultModel: "anthropic/claude-3.5-sonnet",
            fallbackModel: "anthropic/claude-3-haiku", timeout: timeout, appURL: "https://inbox.example", appName: "ADSapp"))
    do {
        try await body(simulator, client)
    } catch {
        try await simulator.shutdown()
        throw error
    }
    try await simulator.shutdown()
}

let question = ChatRequest(messages: [.init(.system, "Answer briefly."), .init(.user, "Waar blijft mijn bestelling?")], maxTokens: 200, temperature: 0.3)

@Suite("Chat completions client")
struct ChatCompletionsClientTests {
    @Test("A whole answer: the request as documented (model, messages, limits, attribution headers), the text, tokens and cost")
    func whole() async throws {
        try await withLLMSimulator { simulator, client in
            let answer = try await client.complete(question)
            #expect(answer.model == "anthropic/claude-3.5-sonnet")
            #expect(answer.content == "anthropic/claude-3.5-sonnet answers: Waar blijft mijn bestelling?")
            #expect(answer.finishReason == "stop")
            let usage = try #require(answer.usage)
            #expect(usage.promptTokens == 6)
            #expect(usage.completionTokens == 6)
            #expect(usage.totalTokens == 12)
            #expect(abs((usage.cost ?? 0) - 12 * 0.000003) < 1e-12)
            let sent = try #require(simulator.requests.first)
            #expect(sent.stream == false)
            #expect(sent.maxTokens == 200)
            #expect(sent.temperature == 0.3)
            #expect(sent.messages == [["role": "system", "content": "Answer briefly."], ["role": "user", "content": "Waar blijft mijn bestelling?"]])
            #expect(sent.referer == "https://inbox.example")
            #expect(sent.title == "ADSapp")
        }
    }

    @Test("A streamed answer arrives in pieces, then whole with the usage of the last chunk; comments are skipped")
    func streamed() async throws {
        try await withLLMSimulator { simulator, client in
            simulator.script("anthropic/claude-3.5-sonnet", .text("Je bestelling komt morgen tussen 9 en 12 uur. 🚚"))
            var pieces: [String] = []
            var done: ChatAnswer?
            for try await event in client.stream(question) {
                switch event {
                case .text(let text): pieces.append(text)
                case .done(let answer): done = answer
                }
            }
            #expect(pieces.count == 10)
            #expect(pieces.joined() == "Je bestelling komt morgen tussen 9 en 12 uur. 🚚")
            let answer = try #require(done)
            #expect(answer.content == pieces.joined())
            #expect(answer.finishReason == "stop")
            #expect(answer.usage?.completionTokens == 10)
            #expect(simulator.requests.first?.stream == true)
        }
    }

    @Test("The fallback model answers when the default one is rate limited, failing, refused or too slow; not for a bad request or key")
    func fallback() async throws {
        // A timeout the fallback's answer meets even on a busy machine, and a delay past it.
        try await withLLMSimulator(timeout: 4) { simulator, client in
            let sonnet = "anthropic/claude-3.5-sonnet"
            for answer in [
                LLMScriptedAnswer.error(status: 429, message: "Rate limit exceeded", retryAfter: 3), .error(status: 502, message: "Provider returned error"),
                .error(status: 404, message: "No endpoints found for anthropic/claude-3.5-sonnet"), .delay(8),
            ] {
                simulator.script(sonnet, answer)
                let fallen = try await client.complete(question)
                #expect(fallen.model == "anthropic/claude-3-haiku", "\(answer)")
            }
            simulator.script(sonnet, .error(status: 503, message: "Overloaded"))
            var streamedModel: String?
            for try await event in client.stream(question) { if case .done(let answer) = event { streamedModel = answer.model } }
            #expect(streamedModel == "anthropic/claude-3-haiku")

            simulator.script(sonnet, .error(status: 400, message: "max_tokens must be positive"))
            await #expect {
                try await client.complete(question)
            } throws: { ($0 as? LLMError)?.kind == .invalidRequest }
            simulator.script(sonnet, .error(status: 402, message: "Insufficient credits"))
            await #expect {
                try await client.complete(question)
            } throws: { ($0 as? LLMError)?.kind == .insufficientCredits }
            // Both busy: the fallback's error is the answer.
            simulator.script(sonnet, .error(status: 429, message: "Rate limit exceeded", retryAfter: 3))
            simulator.script("anthropic/claude-3-haiku", .error(status: 429, message: "Rate limit exceeded", retryAfter: 7))
            await #expect {
                try await client.complete(question)
            } throws: { ($0 as? LLMError)?.kind == .rateLimited && ($0 as? LLMError)?.retryAfter == 7 }
        }
    }

    @Test("A stream that fails after its first text is not retried on the fallback: the reader never sees two answers")
    func failMidStream() async throws {
        try await withLLMSimulator { simulator, client in
            simulator.script("anthropic/claude-3.5-sonnet", .failMidStream(afterText: "Je bestelling komt"))
            var pieces: [String] = []
            await #expect {
                for try await event in client.stream(question) { if case .text(let text) = event { pieces.append(text) } }
            } throws: { ($0 as? LLMError)?.kind == .provider }
            #expect(pieces.joined() == "Je bestelling komt")
            #expect(simulator.requests.map(\.model) == ["anthropic/claude-3.5-sonnet"])
        }
    }

    @Test("A wrong key is an authentication error; an unreachable provider a connection error")
    func refusals() async throws {
        let unreachable = ChatCompletionsClient(LLMConfiguration(baseURL: "http://127.0.0.1:9/api/v1", apiKey: "x", defaultModel: "m", timeout: 2))
        await #expect {
            try await unreachable.complete(question)
        } throws: { ($0 as? LLMError)?.kind == .connection }
        let simulator = LLMSimulator()
        let baseURL = try await simulator.start()
        let unauthorized = ChatCompletionsClient(
            LLMConfiguration(baseURL: baseURL.absoluteString, apiKey: "sk-or-wrong", defaultModel: "m", fallbackModel: "n"))
        await #expect {
            try await unauthorized.complete(question)
        } throws: { ($0 as? LLMError)?.kind == .authentication }
        #expect(simulator.requests.isEmpty)
        try await simulator.shutdown()
    }

    @Test("Server-sent events split anywhere, even inside a character, read the same")
    func eventsSplitAnywhere() {
        let stream = Array(": OPENROUTER PROCESSING\n\ndata: {\"a\":\"é🚚\"}\r\n\r\ndata: [DONE]\n\n".utf8)
        for cut in 0...stream.count {
            var parser = ServerSentEvents()
            let events = parser.feed(stream[..<cut]) + parser.feed(stream[cut...])
            #expect(events == ["{\"a\":\"é🚚\"}", "[DONE]"], "cut at \(cut)")
        }
    }

    // MARK: The official package

    struct PeerAnswer: Decodable {
        struct Usage: Decodable {
            var prompt_tokens: Int
            var completion_tokens: Int
            var total_tokens: Int
        }
        struct Failure: Decodable {
            var `class`: String
            var status: Int
        }
        var content: String?
        var model: String?
        var finish_reason: String?
        var usage: Usage?
        var chunks: Int?
        var error: Failure?
    }

    @Test("The openai package reads the simulator's answers, streams and errors as OpenAI-compatible ones")
    func officialPackage() async throws {
        try await withLLMSimulator { simulator, client in
            let base = client.configuration.baseURL
            func ask(_ fields: [String: Any]) async throws -> PeerAnswer {
                var request: [String: Any] = ["base": base, "key": simulator.apiKey, "model": "anthropic/claude-3.5-sonnet", "prompt": "Hallo daar"]
                request.merge(fields) { $1 }
                let output = try await PythonPeer.output("openai_peer.py", input: try JSONSerialization.data(withJSONObject: request))
                return try JSONDecoder().decode(PeerAnswer.self, from: output)
            }
            let whole = try await ask([:])
            #expect(whole.content == "anthropic/claude-3.5-sonnet answers: Hallo daar")
            #expect(whole.finish_reason == "stop")
            #expect(whole.usage?.total_tokens == 8, "4 words asked, 4 answered")
            #expect(simulator.requests.last?.maxTokens == 50)

            simulator.script("anthropic/claude-3.5-sonnet", .text("Een twee drie vier"))
            let streamed = try await ask(["stream": true])
            #expect(streamed.content == "Een twee drie vier")
            #expect(streamed.chunks == 4)
            #expect(streamed.finish_reason == "stop")
            #expect(streamed.usage?.completion_tokens == 4)

            simulator.script("anthropic/claude-3.5-sonnet", .error(status: 429, message: "Rate limit exceeded", retryAfter: 1))
            #expect(try await ask([:]).error?.class == "RateLimitError")
            simulator.script("anthropic/claude-3.5-sonnet", .error(status: 404, message: "No endpoints found"))
            #expect(try await ask([:]).error?.class == "NotFoundError")
            #expect(try await ask(["key": "sk-or-wrong"]).error?.class == "AuthenticationError")
        }
    }
}
