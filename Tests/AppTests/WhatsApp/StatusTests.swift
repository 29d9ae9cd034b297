@testable import App
import Fluent
import Foundation
import Jobs
import Testing
import Vapor
import WhatsAppSimulator

/// Status callbacks arrive in any order and more than once; a message's status only moves forward.
@Suite struct StatusTests {
    /// An outbound message that Meta accepted, with its WhatsApp id.
    func sentMessage(_ harness: WhatsAppHarness) async throws -> Message {
        _ = try await harness.stored(try await harness.customer().sendText("Hallo"))
        let conversation = try #require(try await harness.conversation(with: "31612345678"))
        let response = try await harness.owner.api(.POST, "/api/v1/conversations/\(conversation.id!)/messages", json: #"{"type":"text","text":"Dag!"}"#)
        #expect(response.status == .accepted)
        try await harness.eventually("sent") {
            try await harness.scope.query(Message.self).filter(\.$direction == .outbound).first()?.wamid != nil
        }
        return try #require(try await harness.scope.query(Message.self).filter(\.$direction == .outbound).first())
    }

    func post(_ harness: WhatsAppHarness, _ statuses: [String]) async throws {
        let body = WebhookFixtures.envelope([WebhookFixtures.messagesChange(contacts: "[]", statuses: "[\(statuses.joined(separator: ","))]")])
        #expect(try await harness.postWebhook(body).status == .ok)
    }

    func status(_ harness: WhatsAppHarness, _ message: Message) async throws -> Message.Status? {
        try await harness.scope.find(Message.self, message.id)?.status
    }

    func settle(_ harness: WhatsAppHarness) async throws {
        try await harness.eventually("events processed") {
            try await WebhookEvent.query(on: harness.db).filter(\.$state == .pending).count() == 0
        }
    }

    @Test func readBeforeDeliveredStaysRead() async throws {
        try await WhatsAppHarness.run { harness in
            let message = try await sentMessage(harness)
            let wamid = message.wamid!, now = harness.clock.now
            try await post(harness, [WebhookFixtures.status("read", wamid: wamid, to: "31612345678", at: now)])
            try await settle(harness)
            #expect(try await status(harness, message) == .read)
            try await post(
                harness,
                [
                    WebhookFixtures.status("delivered", wamid: wamid, to: "31612345678", at: now),
                    WebhookFixtures.status("sent", wamid: wamid, to: "31612345678", at: now),
                    WebhookFixtures.status("delivered", wamid: wamid, to: "31612345678", at: now),
                ])
            try await settle(harness)
            #expect(try await status(harness, message) == .read)
        }
    }

    @Test func failedAfterDeliveredIsIgnoredButDeliveredAfterFailedCounts() async throws {
        try await WhatsAppHarness.run { harness in
            let first = try await sentMessage(harness)
            let now = harness.clock.now
            let errors = #"[{"code":131026,"title":"Message undeliverable","message":"Message undeliverable","error_data":{"details":"not on WhatsApp"}}]"#
            try await post(
                harness,
                [
                    WebhookFixtures.status("delivered", wamid: first.wamid!, to: "31612345678", at: now),
                    WebhookFixtures.status("failed", wamid: first.wamid!, to: "31612345678", at: now, errors: errors),
                ])
            try await settle(harness)
            #expect(try await status(harness, first) == .delivered)

            // Another message: failed first, then a second device reports it delivered.
            let second = try await harness.owner.api(
                .POST, "/api/v1/conversations/\(first.$conversation.id)/messages", json: #"{"type":"text","text":"Nog een"}"#)
            #expect(second.status == .accepted)
            try await harness.eventually("second sent") {
                try await harness.scope.query(Message.self).filter(\.$direction == .outbound).filter(\.$wamid != nil).count() == 2
            }
            let other = try #require(try await harness.scope.query(Message.self).filter(\.$direction == .outbound).filter(\.$id != first.id!).first())
            try await post(harness, [WebhookFixtures.status("failed", wamid: other.wamid!, to: "31612345678", at: now, errors: errors)])
            try await settle(harness)
            let failed = try #require(try await harness.scope.find(Message.self, other.id))
            #expect(failed.status == .failed)
            #expect(failed.errorCode == 131026)
            #expect(failed.errorTitle == "Message undeliverable")
            try await post(harness, [WebhookFixtures.status("delivered", wamid: other.wamid!, to: "31612345678", at: now)])
            try await settle(harness)
            #expect(try await status(harness, other) == .delivered)
        }
    }

    @Test func theSimulatorsShuffledAndRepeatedCallbacksEndAtRead() async throws {
        try await WhatsAppHarness.run(
            statusCallbacks: StatusCallbacks(sentAfter: 0.01, deliveredAfter: 0.02, readAfter: 0.03, shuffled: true, duplicates: true)
        ) { harness in
            let message = try await sentMessage(harness)
            try await harness.eventually("read") { try await status(harness, message) == .read }
            try await Task.sleep(for: .milliseconds(300))
            try await settle(harness)
            #expect(try await status(harness, message) == .read)
        }
    }

    @Test func aPlayedVoiceNoteEndsAtPlayed() async throws {
        try await WhatsAppHarness.run { harness in
            let message = try await sentMessage(harness)
            let wamid = message.wamid!, now = harness.clock.now
            try await post(
                harness,
                [
                    WebhookFixtures.status("played", wamid: wamid, to: "31612345678", at: now),
                    WebhookFixtures.status("read", wamid: wamid, to: "31612345678", at: now),
                ])
            try await settle(harness)
            #expect(try await status(harness, message) == .played)
        }
    }

    @Test func aRecentStatusForAMessageNobodySentIsRetriedThenIgnoredWithANote() async throws {
        try await WhatsAppHarness.run { harness in
            try await post(harness, [WebhookFixtures.status("delivered", wamid: "wamid.ELSEWHERE", to: "31612345678", at: harness.clock.now)])
            try await harness.eventually("event processed after its retries") {
                harness.clock.advance(by: 300)
                return try await WebhookEvent.query(on: harness.db).filter(\.$state == .processed).first() != nil
            }
            let event = try #require(try await WebhookEvent.query(on: harness.db).first())
            #expect(event.error?.contains("did not send") == true)
            #expect(try await Message.query(on: harness.db).count() == 0)
        }
    }

    @Test func theRankingRuleItself() {
        #expect(DeliveryProgress.advances(from: .sent, to: .delivered))
        #expect(DeliveryProgress.advances(from: .delivered, to: .read))
        #expect(DeliveryProgress.advances(from: .read, to: .played))
        #expect(!DeliveryProgress.advances(from: .read, to: .delivered))
        #expect(!DeliveryProgress.advances(from: .read, to: .sent))
        #expect(DeliveryProgress.advances(from: .sent, to: .failed))
        #expect(DeliveryProgress.advances(from: .unknown, to: .sent))
        #expect(!DeliveryProgress.advances(from: .delivered, to: .failed))
        #expect(DeliveryProgress.advances(from: .failed, to: .delivered))
        #expect(!DeliveryProgress.advances(from: .failed, to: .sent))
        #expect(!DeliveryProgress.advances(from: .failed, to: .failed))
    }
}
