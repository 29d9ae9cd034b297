@testable import App
import Fluent
import Foundation
import Jobs
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting
import WhatsAppCloud
import WhatsAppSimulator

/// `/api/webhooks/whatsapp`: the verification challenge, signatures over the raw bytes, storing
/// before acknowledging, and a poison event that blocks nothing.
@Suite struct WebhookTests {
    static let emptyNotification = #"{"object":"whatsapp_business_account","entry":[]}"#

    @Test func theVerificationChallengeIsEchoedOnlyForTheRightToken() async throws {
        try await WhatsAppHarness.run { harness in
            let good = try await harness.app.testing().sendRequest(
                .GET, "/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=\(WhatsAppHarness.verifyToken)&hub.challenge=1158201444")
            #expect(good.status == .ok)
            #expect(good.body.string == "1158201444")
            let wrong = try await harness.app.testing().sendRequest(
                .GET, "/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
            #expect(wrong.status == .forbidden)
            #expect(!wrong.body.string.contains("1158201444"))
            let noMode = try await harness.app.testing().sendRequest(
                .GET, "/api/webhooks/whatsapp?hub.verify_token=\(WhatsAppHarness.verifyToken)&hub.challenge=1")
            #expect(noMode.status == .forbidden)
        }
    }

    @Test func unsignedOrWronglySignedBodiesAreRefusedAndNothingIsStored() async throws {
        try await WhatsAppHarness.run { harness in
            let body = Self.emptyNotification
            var headers = HTTPHeaders()
            headers.contentType = .json
            let missing = try await harness.app.testing().sendRequest(.POST, "/api/webhooks/whatsapp", headers: headers, body: ByteBuffer(string: body))
            #expect(missing.status == .unauthorized)

            let wrongSecret = WebhookSignature.header(body: Array(body.utf8), appSecret: "not-the-app-secret")
            #expect(try await harness.postWebhook(body, signature: wrongSecret).status == .unauthorized)

            // Signed for one body, sent with another: one changed byte is enough.
            let signedForOriginal = WebhookSignature.header(body: Array(body.utf8), appSecret: WhatsAppHarness.appSecret)
            let changed = body.replacingOccurrences(of: "[]", with: "[ ]")
            #expect(try await harness.postWebhook(changed, signature: signedForOriginal).status == .unauthorized)
            #expect(try await harness.postWebhook(body, signature: "sha1=" + String(repeating: "a", count: 40)).status == .unauthorized)
            #expect(try await harness.postWebhook(body, signature: "sha256=zz").status == .unauthorized)

            #expect(try await WebhookEvent.query(on: harness.db).count() == 0)
            #expect(try await harness.postWebhook(body).status == .ok)
            #expect(try await WebhookEvent.query(on: harness.db).count() == 1)
        }
    }

    @Test func withoutAnAppSecretEveryPostIsRefused() async throws {
        try await TestApp.run(variables: ["WHATSAPP_WEBHOOK_VERIFY_TOKEN": "t"]) { app in
            var headers = HTTPHeaders()
            headers.add(name: WebhookSignature.headerName, value: WebhookSignature.header(body: Array(Self.emptyNotification.utf8), appSecret: ""))
            let response = try await app.app.testing().sendRequest(
                .POST, "/api/webhooks/whatsapp", headers: headers, body: ByteBuffer(string: Self.emptyNotification))
            #expect(response.status == .forbidden)
            #expect(try await WebhookEvent.query(on: app.db).count() == 0)
        }
    }

    @Test func anOversizedBodyIsRefused() async throws {
        try await WhatsAppHarness.run(variables: ["WHATSAPP_WEBHOOK_MAX_BYTES": "10000"]) { harness in
            let padding = String(repeating: " ", count: 20_000)
            let response = try await harness.postWebhook(#"{"object":"whatsapp_business_account","entry":[]"# + padding + "}")
            #expect(response.status == .payloadTooLarge)
            #expect(try await WebhookEvent.query(on: harness.db).count() == 0)
        }
    }

    @Test func aPoisonEventIsMarkedFailedAndTheEventsBehindItAreProcessed() async throws {
        try await WhatsAppHarness.run { harness in
            #expect(try await harness.postWebhook("this is not json").status == .ok)
            #expect(try await harness.postWebhook(#"{"object":"instagram","entry":[]}"#).status == .ok)
            let wamid = try await harness.customer().sendText("Is the sourdough ready?")
            let message = try await harness.stored(wamid)
            #expect(message.body == "Is the sourdough ready?")
            try await harness.eventually("poison events failed") {
                try await WebhookEvent.query(on: harness.db).filter(\.$state == .failed).count() == 2
            }
            let failed = try await WebhookEvent.query(on: harness.db).filter(\.$state == .failed).all()
            #expect(failed.allSatisfy { ($0.error ?? "").isEmpty == false })
            // The operator sees them, with the reason.
            let anna = try #require(try await User.query(on: harness.db).filter(\.$email == "anna@example.com").first())
            anna.isPlatformAdmin = true
            try await anna.save(on: harness.db)
            let overview = try await harness.owner.api(.GET, "/api/v1/admin/jobs")
            #expect(overview.status == .ok)
            #expect(overview.body.string.contains("not a WhatsApp notification"))
            #expect(overview.body.string.contains("unexpected object"))
            let page = try await harness.owner.get("/admin/jobs")
            #expect(page.body.string.contains("failed-webhooks"))
        }
    }

    @Test func aMessageTheDatabaseRefusesWaitsAloneAndTheRestOfItsBatchIsStored() async throws {
        try await WhatsAppHarness.run { harness in
            // The database refuses one message (as a full disk or a broken row would).
            let sql = harness.db as! any SQLDatabase
            if sql.dialect.name == "postgresql" {
                try await sql.raw(
                    """
                    CREATE FUNCTION refuse_message() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.wamid = 'wamid.REFUSED' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$
                    """
                ).run()
                try await sql.raw("CREATE TRIGGER refuse_message BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_message()").run()
            } else {
                try await sql.raw(
                    """
                    CREATE TRIGGER refuse_message BEFORE INSERT ON messages WHEN NEW.wamid = 'wamid.REFUSED'
                    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                    """
                ).run()
            }
            // Three bodies in one batch, as one group commit stores them.
            let at = harness.clock.now
            let bodies = [
                WebhookFixtures.text(wamid: "wamid.BEFORE", from: "31611111111", name: "Piet", body: "Eerste", timestamp: at),
                WebhookFixtures.text(wamid: "wamid.REFUSED", from: "31622222222", name: "Kees", body: "Tweede", timestamp: at),
                WebhookFixtures.text(wamid: "wamid.AFTER", from: "31633333333", name: "Mien", body: "Derde", timestamp: at),
            ]
            var ids: [UUID] = []
            for body in bodies {
                let event = WebhookEvent()
                event.id = UUID()
                event.source = "whatsapp"
                event.body = Data(body.utf8)
                event.receivedAt = at
                event.state = .pending
                try await event.create(on: harness.db)
                ids.append(event.id!)
            }
            try await JobStore(database: harness.db, now: { harness.clock.now })
                .enqueue(.init(ProcessWhatsAppWebhook.self, .init(eventIDs: ids), priority: .high))

            #expect(try await harness.stored("wamid.BEFORE").body == "Eerste")
            #expect(try await harness.stored("wamid.AFTER").body == "Derde")
            try await harness.eventually("the others processed") {
                try await WebhookEvent.query(on: harness.db).filter(\.$state == .processed).count() == 2
            }
            // The refused one waits for a later try, not marked failed yet, and nothing of it was half stored.
            let refused = try #require(try await WebhookEvent.find(ids[1], on: harness.db))
            #expect(refused.state == .pending)
            #expect(try await harness.conversation(with: "31622222222") == nil)
            let retries = try await sql.raw("SELECT payload FROM jobs WHERE kind = \(bind: ProcessWhatsAppWebhook.kind) AND state = 'queued'")
                .all().map { try $0.decode(column: "payload", as: String.self) }
            #expect(retries.count == 1)
            #expect(retries.first?.contains(ids[1].uuidString) == true)
            #expect(retries.first?.contains(ids[0].uuidString) == false)

            // Once the database takes it, the next try stores it.
            try await sql.raw("DROP TRIGGER refuse_message \(unsafeRaw: sql.dialect.name == "postgresql" ? "ON messages" : "")").run()
            harness.clock.advance(by: 3)
            #expect(try await harness.stored("wamid.REFUSED").body == "Tweede")
            try await harness.eventually("all processed") {
                try await WebhookEvent.query(on: harness.db).filter(\.$state == .processed).count() == 3
            }
        }
    }

    @Test func aReplayedBodyChangesNothing() async throws {
        try await WhatsAppHarness.run { harness in
            let body = WebhookFixtures.text(wamid: "wamid.REPLAY1", from: "31611111111", name: "Piet", body: "Hallo", timestamp: harness.clock.now)
            #expect(try await harness.postWebhook(body).status == .ok)
            _ = try await harness.stored("wamid.REPLAY1")
            #expect(try await harness.postWebhook(body).status == .ok)
            try await harness.eventually("both events processed") {
                try await WebhookEvent.query(on: harness.db).filter(\.$state == .processed).count() == 2
            }
            #expect(try await Message.query(on: harness.db).filter(\.$wamid == "wamid.REPLAY1").count() == 1)
            let conversation = try #require(try await harness.conversation(with: "31611111111"))
            #expect(conversation.unreadCount == 1)
        }
    }
}

/// Webhook bodies written by hand, for the cases the simulator's customers do not produce.
enum WebhookFixtures {
    static let phoneNumberID = WhatsAppHarness.number.phoneNumberID
    static let wabaID = WhatsAppHarness.number.wabaID

    static func envelope(_ changes: [String], wabaID: String = wabaID) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"\#(wabaID)","changes":[\#(changes.joined(separator: ","))]}]}"#
    }

    static func messagesChange(contacts: String, messages: String = "[]", statuses: String = "[]", phoneNumberID: String = phoneNumberID) -> String {
        #"{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"31201234567","phone_number_id":"\#(phoneNumberID)"},"contacts":\#(contacts),"messages":\#(messages),"statuses":\#(statuses)}}"#
    }

    static func contact(_ waID: String, name: String) -> String {
        #"{"profile":{"name":"\#(name)"},"wa_id":"\#(waID)"}"#
    }

    static func text(wamid: String, from waID: String, name: String, body: String, timestamp: Date) -> String {
        let message = #"{"from":"\#(waID)","id":"\#(wamid)","timestamp":"\#(Int(timestamp.timeIntervalSince1970))","type":"text","text":{"body":"\#(body)"}}"#
        return envelope([messagesChange(contacts: "[\(contact(waID, name: name))]", messages: "[\(message)]")])
    }

    static func status(_ status: String, wamid: String, to waID: String, at timestamp: Date, errors: String? = nil) -> String {
        let errorsPart = errors.map { #","errors":\#($0)"# } ?? ""
        return #"{"id":"\#(wamid)","status":"\#(status)","timestamp":"\#(Int(timestamp.timeIntervalSince1970))","recipient_id":"\#(waID)"\#(errorsPart)}"#
    }
}
