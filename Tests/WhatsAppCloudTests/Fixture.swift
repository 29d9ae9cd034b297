import Foundation
import Testing
@testable import WhatsAppCloud

enum Fixture {
    static func data(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"), "missing fixture \(name).json")
        return try Data(contentsOf: url)
    }

    static func notification(_ name: String) throws -> WebhookNotification {
        try WebhookNotification.decode(data(name))
    }

    static func messagesValue(_ name: String) throws -> MessagesValue {
        let notification = try notification(name)
        let change = try #require(notification.entries.first?.changes.first)
        guard case .messages(let value) = change.value else {
            Issue.record("expected a messages change in \(name), got \(change.value)")
            throw FixtureError.wrongShape
        }
        return value
    }

    /// The only message of a fixture.
    static func message(_ name: String) throws -> InboundMessage {
        let value = try messagesValue(name)
        try #require(value.messages.count == 1)
        return value.messages[0]
    }

    static func status(_ name: String) throws -> MessageStatus {
        let value = try messagesValue(name)
        try #require(value.statuses.count == 1)
        return value.statuses[0]
    }

    enum FixtureError: Error { case wrongShape }
}

/// Parses JSON bytes into Foundation objects, so two bodies compare regardless of key order and spacing.
func jsonObject(_ data: Data) throws -> NSDictionary {
    try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
}

func jsonObject(_ text: String) throws -> NSDictionary {
    try jsonObject(Data(text.utf8))
}
