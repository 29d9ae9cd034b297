import Foundation
import Synchronization

/// A few named customers who, while running, write to the business now and then: questions about
/// orders, a photo, a location, answers to buttons, a reaction to the latest reply. Keeps a demo inbox alive.
public final class DemoCustomers: Sendable {
    public struct Persona: Sendable {
        public var waID: String
        public var name: String
        public init(waID: String, name: String) {
            self.waID = waID
            self.name = name
        }
    }

    public static let defaultPersonas = [
        Persona(waID: "31612345001", name: "Sanne de Vries"),
        Persona(waID: "31612345002", name: "Daan Jansen"),
        Persona(waID: "32470123003", name: "Emma Peeters"),
        Persona(waID: "447700900004", name: "Oliver Smith"),
        Persona(waID: "4915112345005", name: "Lena Müller"),
    ]

    private let simulator: GraphSimulator
    private let personas: [Persona]
    /// Messages per minute, all customers together.
    private let messagesPerMinute: Double
    private let runner = Mutex<Task<Void, Never>?>(nil)
    private let sentCount = Atomic<Int>(0)

    public init(simulator: GraphSimulator, personas: [Persona] = DemoCustomers.defaultPersonas, messagesPerMinute: Double = 6) {
        precondition(!personas.isEmpty, "DemoCustomers needs at least one persona")
        precondition(messagesPerMinute > 0, "messagesPerMinute must be positive")
        self.simulator = simulator
        self.personas = personas
        self.messagesPerMinute = messagesPerMinute
    }

    /// How many messages the customers have sent since `start`.
    public var messagesSent: Int { sentCount.load(ordering: .relaxed) }

    public var isRunning: Bool { runner.withLock { $0 != nil } }

    public func start() {
        runner.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in await run() }
        }
    }

    public func stop() {
        runner.withLock { task in
            task?.cancel()
            task = nil
        }
    }

    /// Sends one message from a random customer now; the loop calls it, tests may too.
    @discardableResult
    public func sendOne() async throws -> String {
        let persona = personas.randomElement()!
        let customer = simulator.customer(waID: persona.waID, name: persona.name)
        let lastReply = simulator.sentMessages.last { $0.to == persona.waID }
        let wamid = try await customer.send(DemoScript.next(for: persona.name, lastReply: lastReply), replyingTo: nil)
        sentCount.add(1, ordering: .relaxed)
        return wamid
    }

    private func run() async {
        let interval = 60 / messagesPerMinute
        while !Task.isCancelled {
            // A little jitter so it does not tick like a clock.
            try? await Task.sleep(for: .seconds(interval * Double.random(in: 0.5...1.5)))
            if Task.isCancelled { return }
            _ = try? await sendOne()
        }
    }
}

/// What demo customers say: realistic, varied, and reactive to the business's last message.
enum DemoScript {
    static let questions = [
        "Hi! Where is my order #%d? It was supposed to arrive yesterday.",
        "Hello, can I still change the delivery address for order #%d?",
        "Do you have the blue one in size M?",
        "What are your opening hours on Saturday?",
        "I'd like to return an item from order #%d, how does that work?",
        "Thanks for the quick help earlier 🙏",
        "Is there a discount for ordering 10 or more?",
        "Goedemiddag, is mijn bestelling #%d al verzonden?",
    ]

    static func next(for name: String, lastReply: SentMessage?) -> InboundContent {
        // Answer the business's buttons, list or message first, some of the time.
        if let reply = lastReply, Bool.random() {
            if let button = reply.json["interactive"]?["action"]?["buttons"]?.array?.randomElement()?["reply"],
                let id = button["id"]?.string, let title = button["title"]?.string
            {
                return .buttonReply(id: id, title: title)
            }
            if let row = reply.json["interactive"]?["action"]?["sections"]?.array?.first?["rows"]?.array?.randomElement(),
                let id = row["id"]?.string, let title = row["title"]?.string
            {
                return .listReply(id: id, title: title, description: row["description"]?.string)
            }
            return .reaction(messageID: reply.wamid, emoji: ["👍", "❤️", "🙏", "😂"].randomElement()!)
        }
        switch Int.random(in: 0..<10) {
        case 0:
            return .image(DemoMedia.jpeg, caption: "This is what arrived, the box is damaged")
        case 1:
            return .location(latitude: 52.3731, longitude: 4.8922, name: "Dam Square", address: "Dam, 1012 JS Amsterdam")
        case 2:
            return .document(Data("Order summary for \(name)\n".utf8), mimeType: "text/plain", filename: "order.txt", caption: "My receipt")
        default:
            let question = questions.randomElement()!
            return .text(question.contains("%d") ? String(format: question, Int.random(in: 10_000...99_999)) : question)
        }
    }
}

/// Tiny but valid media for demo customers.
enum DemoMedia {
    /// A 1×1 JPEG.
    static let jpeg = Data(
        base64Encoded:
            "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
    )!
}
